import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { readBackingServices } from "../config.js";
import { Revocations } from "./revocation.js";

const redis = new Redis(readBackingServices().redisUrl);
const revocations = new Revocations(redis, `${inject("redisPrefix")}revocation-test:`, 900);
const now = () => Math.floor(Date.now() / 1000);

afterAll(() => redis.quit());

describe("Revocations", () => {
  it("revokes one token until it expires", async () => {
    const token = { jti: randomUUID(), userId: randomUUID(), iat: now() };
    expect(await revocations.isRevoked(token)).toBe(false);
    await revocations.revokeToken(token.jti, now() + 60);
    expect(await revocations.isRevoked(token)).toBe(true);
    expect(await revocations.isRevoked({ ...token, jti: randomUUID() })).toBe(false);
    const ttl = await redis.ttl(`${inject("redisPrefix")}revocation-test:revoked:jti:${token.jti}`);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it("revokes every token of a user issued up to the revocation, none issued after", async () => {
    const userId = randomUUID();
    await revocations.revokeUser(userId);
    const at = await revocations.userRevokedAt(userId);
    expect(at).toBeGreaterThanOrEqual(now() - 1);
    expect(await revocations.isRevoked({ jti: randomUUID(), userId, iat: at! })).toBe(true);
    expect(await revocations.isRevoked({ jti: randomUUID(), userId, iat: at! + 1 })).toBe(false);
    expect(await revocations.userRevokedAt(randomUUID())).toBeUndefined();
  });
});
