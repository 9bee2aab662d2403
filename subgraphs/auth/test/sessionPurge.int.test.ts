import { randomBytes, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, expect, inject, it } from "vitest";
import { Revocations } from "../../../lib/auth/revocation.js";
import { readBackingServices } from "../../../lib/config.js";
import { createPrismaClient } from "../../../lib/prisma.js";
import { Sessions } from "../src/sessions.js";

const prisma = createPrismaClient(inject("databaseUrl"));
const redis = new Redis(readBackingServices().redisUrl);
const sessions = new Sessions(prisma, new Revocations(redis, `${inject("redisPrefix")}purge:`, 900), 3_600);

afterAll(async () => {
  await prisma.$disconnect();
  redis.disconnect();
});

const DAY = 86_400_000;
const token = (familyId: string, expiresInMs: number) => ({
  userId: randomUUID(),
  familyId,
  tokenHash: randomBytes(32).toString("hex"),
  expiresAt: new Date(Date.now() + expiresInMs),
});

it("deletes the families whose every token expired over a day ago, and keeps any family with a live token whole", async () => {
  const [ended, recentlyEnded, live] = [randomUUID(), randomUUID(), randomUUID()];
  await prisma.refreshToken.createMany({
    data: [
      token(ended, -3 * DAY),
      token(ended, -2 * DAY),
      token(recentlyEnded, -DAY / 2),
      // An old rotated token next to the live one: kept, so presenting it is still seen as reuse.
      token(live, -5 * DAY),
      token(live, DAY),
    ],
  });
  expect(await sessions.purgeExpired()).toBeGreaterThanOrEqual(2);
  const left = await prisma.refreshToken.groupBy({
    by: ["familyId"],
    where: { familyId: { in: [ended, recentlyEnded, live] } },
    _count: true,
  });
  expect(Object.fromEntries(left.map((g) => [g.familyId, g._count]))).toEqual({ [recentlyEnded]: 1, [live]: 2 });
});
