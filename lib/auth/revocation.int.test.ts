import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { readBackingServices } from "../config.js";
import { Revocations, watchRevocations, type RevocationNotice } from "./revocation.js";

const redis = new Redis(readBackingServices().redisUrl);
const prefix = `${inject("redisPrefix")}revocation-test:`;
const revocations = new Revocations(redis, prefix, 900);
const now = () => Math.floor(Date.now() / 1000);

afterAll(() => redis.quit());

describe("Revocations", () => {
  it("revokes one token until it expires", async () => {
    const token = { jti: randomUUID(), userId: randomUUID(), generation: 0 };
    expect(await revocations.isRevoked(token)).toBe(false);
    await revocations.revokeToken(token.jti, now() + 60);
    expect(await revocations.isRevoked(token)).toBe(true);
    expect(await revocations.isRevoked({ ...token, jti: randomUUID() })).toBe(false);
    const ttl = await redis.ttl(`${prefix}revoked:jti:${token.jti}`);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it("revokes every token of a user issued under an older generation, none issued under the new one", async () => {
    const userId = randomUUID();
    expect(await revocations.generation(userId)).toBe(0);
    const generation = await revocations.revokeUser(userId);
    expect(await revocations.generation(userId)).toBe(generation);
    expect(await revocations.isRevoked({ jti: randomUUID(), userId, generation: 0 })).toBe(true);
    expect(await revocations.isRevoked({ jti: randomUUID(), userId, generation: generation - 1 })).toBe(true);
    expect(await revocations.isRevoked({ jti: randomUUID(), userId, generation })).toBe(false);
    expect(await revocations.isRevoked({ jti: randomUUID(), userId: randomUUID(), generation: 0 })).toBe(false);
  });

  it("raises the generation at every revocation, even several in one millisecond", async () => {
    const userId = randomUUID();
    const generations = await Promise.all(Array.from({ length: 5 }, () => revocations.revokeUser(userId)));
    expect(new Set(generations).size).toBe(5);
    expect(await revocations.generation(userId)).toBe(Math.max(...generations));
  });

  it("keeps a generation for the longest token lifetime plus the clock-skew leeway, then grows past it after expiry", async () => {
    const userId = randomUUID();
    const first = await revocations.revokeUser(userId);
    const ttl = await redis.ttl(`${prefix}revoked:user:${userId}`);
    expect(ttl).toBeGreaterThan(955);
    expect(ttl).toBeLessThanOrEqual(960);
    // Once forgotten (the key expired, so time has passed), a new revocation still lands above
    // every generation handed out before.
    await redis.del(`${prefix}revoked:user:${userId}`);
    while (Date.now() <= first) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(await revocations.generation(userId)).toBe(0);
    expect(await revocations.revokeUser(userId)).toBeGreaterThan(first);
  });

  it("announces every revocation to the services watching, at once", async () => {
    const notices: RevocationNotice[] = [];
    let arrived = () => undefined as void;
    const watch = watchRevocations(redis, `${inject("redisPrefix")}revocation-test:`, {
      notice: (notice) => {
        notices.push(notice);
        arrived();
      },
      gap: () => undefined,
    });
    try {
      await watch.ready;
      const [jti, userId] = [randomUUID(), randomUUID()];
      const both = new Promise<void>((resolve) => (arrived = () => void (notices.length === 2 && resolve())));
      await revocations.revokeToken(jti, now() + 60);
      await revocations.revokeUser(userId);
      await both;
      expect(notices).toEqual([{ jti }, { userId }]);
    } finally {
      await watch.close();
    }
  });

  it("tells a watcher to re-verify everything when its subscription comes back after a lost connection", async () => {
    let gap!: () => void;
    const gapped = new Promise<void>((resolve) => (gap = resolve));
    // A connection name of its own, which the watcher's duplicate connection inherits: the
    // test must find its own watcher among every client of the server.
    const name = `revocation-test-${randomUUID()}`;
    const named = new Redis(readBackingServices().redisUrl, { connectionName: name });
    const watch = watchRevocations(named, `${inject("redisPrefix")}revocation-test:`, { notice: () => undefined, gap });
    try {
      await watch.ready;
      // Redis drops the watcher's connection (as on a failover); ioredis reconnects.
      const clients = (await redis.client("LIST")) as string;
      const watcher = clients.split("\n").find((line) => line.includes(` name=${name} `) && line.includes(" sub=1 "));
      expect(watcher).toBeDefined();
      await redis.client("KILL", "ID", /\bid=(\d+)/.exec(watcher!)![1]!);
      await gapped;
    } finally {
      await watch.close();
      named.disconnect();
    }
  });
});
