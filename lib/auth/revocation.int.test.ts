import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import { readBackingServices } from "../config.js";
import { createPrismaClient } from "../prisma.js";
import { watchRevocations, type RevocationNotice } from "./revocation.js";
import { RevocationRecord } from "./revocationRecord.js";
import { Revocations, type SnapshotSource } from "./revocationSync.js";

const logger = pino({ level: "silent" });
const redis = new Redis(readBackingServices().redisUrl);
const prisma = createPrismaClient(inject("databaseUrl"));
const prefix = `${inject("redisPrefix")}revocation-test:`;
const now = () => Math.floor(Date.now() / 1000);
const opened: Revocations[] = [];

/** A service's list, reading `source` (auth's record, as its endpoint would serve it). */
function serviceList(source: SnapshotSource, options: { redis?: Redis; pollMs?: number } = {}): Revocations {
  const list = new Revocations({ redis: options.redis ?? redis, prefix, source, logger, pollMs: options.pollMs });
  list.start();
  opened.push(list);
  return list;
}

const authList = serviceList(() => record.snapshot());
const record = new RevocationRecord(prisma, redis, prefix, authList, 900, logger);

/** Polls until `check` holds (the notices travel through Redis). */
async function eventually(check: () => boolean, ms = 1_000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Date.now() - started;
}

afterAll(async () => {
  await Promise.all(opened.map((list) => list.close()));
  await prisma.$disconnect();
  redis.disconnect();
});

describe("RevocationRecord", () => {
  it("stores a revoked token in PostgreSQL until it expires, and refuses it in the writer's list at once", async () => {
    await authList.loaded;
    const token = { jti: randomUUID(), userId: randomUUID(), generation: 0 };
    expect(await authList.isRevoked(token)).toBe(false);
    await record.revokeToken(token.jti, now() + 60);
    expect(await authList.isRevoked(token)).toBe(true);
    expect(await authList.isRevoked({ ...token, jti: randomUUID() })).toBe(false);
    const row = await prisma.revokedToken.findUniqueOrThrow({ where: { jti: token.jti } });
    // Kept for the clock-skew leeway past the token's own expiry.
    expect(Math.round(row.expiresAt.getTime() / 1000) - now()).toBeGreaterThan(115);
  });

  it("revokes every token of a user issued under an older generation, none issued under the new one", async () => {
    const userId = randomUUID();
    expect(await record.generation(userId)).toBe(0);
    const generation = await record.revokeUser(userId);
    expect(await record.generation(userId)).toBe(generation);
    expect(await authList.isRevoked({ jti: randomUUID(), userId, generation: 0 })).toBe(true);
    expect(await authList.isRevoked({ jti: randomUUID(), userId, generation: generation - 1 })).toBe(true);
    expect(await authList.isRevoked({ jti: randomUUID(), userId, generation })).toBe(false);
    expect(await authList.isRevoked({ jti: randomUUID(), userId: randomUUID(), generation: 0 })).toBe(false);
  });

  it("raises the generation at every revocation, even several in one millisecond", async () => {
    const userId = randomUUID();
    const generations = await Promise.all(Array.from({ length: 5 }, () => record.revokeUser(userId)));
    expect(new Set(generations).size).toBe(5);
    expect(await record.generation(userId)).toBe(Math.max(...generations));
  });

  it("keeps a generation for the longest token lifetime plus the leeway, then grows past it once pruned", async () => {
    const userId = randomUUID();
    const first = await record.revokeUser(userId);
    const row = await prisma.userRevocation.findUniqueOrThrow({ where: { userId } });
    const keep = Math.round(row.expiresAt.getTime() / 1000) - now();
    expect(keep).toBeGreaterThan(955);
    expect(keep).toBeLessThanOrEqual(961);
    await prisma.userRevocation.update({ where: { userId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await record.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await record.generation(userId)).toBe(0);
    expect(await record.revokeUser(userId)).toBeGreaterThan(first);
  });
});

describe("Revocations (each service's list)", () => {
  it("refuses, within the second and without a call per check, a token another instance revoked", async () => {
    const other = serviceList(() => record.snapshot());
    await other.loaded;
    const token = { jti: randomUUID(), userId: randomUUID(), generation: 0 };
    await record.revokeToken(token.jti, now() + 60);
    const tookMs = await eventually(() => other.list.isRevoked(token));
    expect(tookMs).toBeLessThan(1_000);
    const generation = await record.revokeUser(token.userId);
    await eventually(() => other.list.isRevoked({ jti: randomUUID(), userId: token.userId, generation: generation - 1 }));
  });

  it("reads what was revoked before it started from the durable record, not from Redis", async () => {
    const token = { jti: randomUUID(), userId: randomUUID(), generation: 0 };
    await record.revokeToken(token.jti, now() + 60);
    const generation = await record.revokeUser(token.userId);
    const late = serviceList(() => record.snapshot());
    expect(await late.isRevoked(token)).toBe(true);
    expect(await late.isRevoked({ jti: randomUUID(), userId: token.userId, generation: generation - 1 })).toBe(true);
  });

  it("answers SERVICE_UNAVAILABLE naming auth when the list cannot be read at all", async () => {
    const unreachable = new Revocations({ redis, prefix, logger, source: () => Promise.reject(new Error("down")), firstLoadWaitMs: 50 });
    unreachable.start();
    opened.push(unreachable);
    await expect(unreachable.isRevoked({ jti: randomUUID(), userId: randomUUID(), generation: 0 })).rejects.toMatchObject({
      extensions: { code: "SERVICE_UNAVAILABLE", dependency: "auth" },
    });
  });

  it("reads the list again when its notices come back after a lost connection: a revocation meanwhile is caught up", async () => {
    const name = `revocation-test-${randomUUID()}`;
    const named = new Redis(readBackingServices().redisUrl, { connectionName: name });
    // Notices to this list are "lost": it hears none published while it is cut off.
    const list = serviceList(() => record.snapshot(), { redis: named, pollMs: 60_000 });
    await list.loaded;
    let gaps = 0;
    list.listen({ notice: () => undefined, gap: () => (gaps += 1) });
    const clients = (await redis.client("LIST")) as string;
    const watcher = clients.split("\n").find((line) => line.includes(` name=${name} `) && line.includes(" sub=1 "));
    expect(watcher).toBeDefined();
    const token = { jti: randomUUID(), userId: randomUUID(), generation: 0 };
    // Stored without a notice (as while Redis was away), then the watcher's connection drops.
    await prisma.revokedToken.create({ data: { jti: token.jti, expiresAt: new Date(Date.now() + 60_000) } });
    expect(list.list.isRevoked(token)).toBe(false);
    await redis.client("KILL", "ID", /\bid=(\d+)/.exec(watcher!)![1]!);
    await eventually(() => gaps === 1 && list.list.isRevoked(token), 5_000);
    named.disconnect();
  });

  it("announces every revocation to the watchers, with what a list needs", async () => {
    const notices: RevocationNotice[] = [];
    const watch = watchRevocations(redis, prefix, { notice: (notice) => notices.push(notice), gap: () => undefined });
    try {
      await watch.ready;
      const [jti, userId] = [randomUUID(), randomUUID()];
      await record.revokeToken(jti, now() + 60);
      const generation = await record.revokeUser(userId);
      await eventually(() => notices.length >= 2);
      expect(notices).toEqual([
        { jti, exp: expect.any(Number) },
        { userId, generation, expiresAt: expect.any(Number) },
      ]);
    } finally {
      await watch.close();
    }
  });
});
