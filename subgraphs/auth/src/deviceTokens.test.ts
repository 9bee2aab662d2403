import { generateKeyPairSync, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DeviceTokens } from "./deviceTokens.js";

const key = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;

describe("device tokens", () => {
  const signingKey = key();
  const tokens = new DeviceTokens(signingKey, 3_600);
  const userId = randomUUID();

  it("name a new device at every sign-in, valid for their account only", () => {
    const first = tokens.issue(userId);
    const second = tokens.issue(userId);
    expect(first).toMatch(/^[\w-]{22}\.\d+\.[\w-]{43}$/);
    expect(tokens.deviceOf(first, userId)).toBe(first.split(".")[0]);
    expect(tokens.deviceOf(second, userId)).not.toBe(tokens.deviceOf(first, userId));
    expect(tokens.deviceOf(first, randomUUID())).toBeUndefined();
    // Another auth instance with the same signing key agrees; another key does not.
    expect(new DeviceTokens(signingKey, 3_600).deviceOf(first, userId)).toBe(first.split(".")[0]);
    expect(new DeviceTokens(key(), 3_600).deviceOf(first, userId)).toBeUndefined();
  });

  it("refuse tampered, expired, overlong and malformed tokens", () => {
    const token = tokens.issue(userId);
    const [id, expires, mac] = token.split(".") as [string, string, string];
    const expired = new DeviceTokens(signingKey, -1).issue(userId);
    for (const bad of [
      `${id}.${Number(expires) + 1}.${mac}`,
      `${id}x.${expires}.${mac}`,
      `${id}.${expires}.${"A".repeat(43)}`,
      `${token}.extra`,
      expired,
      `${token}${"A".repeat(200)}`,
      "",
      null,
      undefined,
      "..",
    ]) {
      expect(tokens.deviceOf(bad, userId)).toBeUndefined();
    }
  });
});
