import { randomUUID } from "node:crypto";
import { afterAll, expect, inject, it } from "vitest";
import { createPrismaClient } from "#lib/prisma.js";
import { createUserLoaders } from "../src/loaders.js";

const prisma = createPrismaClient(inject("databaseUrl"));

afterAll(async () => {
  await prisma.$disconnect();
});

// The loader reads raw SQL for speed: what it returns must stay what Prisma's `User` is, a
// column added to the model included.
it("loads users by id as Prisma's model reads them, every field, and null for an unknown or malformed id", async () => {
  const email = `loader-${randomUUID()}@example.com`;
  const created = await prisma.user.create({ data: { email, name: "Loader Test", roles: ["QA", "VIEWER"], department: "Quality" } });
  const unknown = randomUUID();
  const loaded = await createUserLoaders(prisma).userById.loadMany([created.id.toUpperCase(), unknown, "not-a-uuid"]);
  expect(loaded).toEqual([await prisma.user.findUnique({ where: { id: created.id } }), null, null]);
});
