import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, expect, inject, it } from "vitest";
import { createPrismaClient } from "#lib/prisma.js";
import { Sessions } from "../src/sessions.js";

const prisma = createPrismaClient(inject("databaseUrl"));
// Purging touches no revocation: the sessions need no record here.
const sessions = new Sessions(prisma, undefined as never, 3_600);

afterAll(async () => {
  await prisma.$disconnect();
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
