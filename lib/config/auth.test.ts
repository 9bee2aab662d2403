import { describe, expect, it } from "vitest";
import { readAuthSettings } from "./subgraphs.js";

describe("auth settings", () => {
  it("default to OWASP-style sign-in delays and a hash queue the size of the machine", () => {
    expect(readAuthSettings({})).toMatchObject({
      loginMaxFailures: 5,
      loginMaxDelaySeconds: 900,
      loginFailureWindowSeconds: 86_400,
      deviceTokenTtlSeconds: 30 * 86_400,
      passwordHashConcurrency: expect.any(Number),
      passwordHashQueue: 16,
    });
    expect(readAuthSettings({}).passwordHashConcurrency).toBeGreaterThanOrEqual(1);
  });

  it("refuse a failure window shorter than the longest delay, which would start every attacker afresh", () => {
    expect(() => readAuthSettings({ LOGIN_MAX_DELAY: "600", LOGIN_FAILURE_WINDOW: "300" })).toThrow(
      "LOGIN_FAILURE_WINDOW: must be at least LOGIN_MAX_DELAY (600), got 300",
    );
  });

  it("refuse malformed numbers by name", () => {
    expect(() => readAuthSettings({ PASSWORD_HASH_CONCURRENCY: "0" })).toThrow(/^PASSWORD_HASH_CONCURRENCY: expected an integer/);
    expect(() => readAuthSettings({ PASSWORD_HASH_QUEUE: "many" })).toThrow(/^PASSWORD_HASH_QUEUE: expected an integer/);
  });
});
