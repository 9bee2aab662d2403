import { afterAll, describe, expect, inject, it } from "vitest";
import { createPrismaClient } from "#lib/prisma.js";

const prisma = createPrismaClient(inject("databaseUrl"));
afterAll(() => prisma.$disconnect());

describe("committed migrations on this run's own database", () => {
  it("create one PostgreSQL schema per subgraph", async () => {
    const rows = await prisma.$queryRaw<{ schema_name: string }[]>`
      SELECT schema_name::text AS schema_name FROM information_schema.schemata
      WHERE schema_name IN ('auth', 'users', 'production') ORDER BY schema_name`;
    expect(rows.map((r) => r.schema_name)).toEqual(["auth", "production", "users"]);
  });

  it("store users with a unique email and credentials through the adapter client", async () => {
    const user = await prisma.user.create({
      data: { email: "migration.check@example.com", name: "Migration Check", roles: ["VIEWER"] },
    });
    expect(user).toMatchObject({ email: "migration.check@example.com", roles: ["VIEWER"], active: true });
    await expect(prisma.user.create({ data: { email: "migration.check@example.com", name: "Twin", roles: [] } })).rejects.toMatchObject({ code: "P2002" });
    await prisma.credential.create({ data: { userId: user.id, passwordHash: "scrypt$placeholder" } });
    expect(await prisma.credential.count({ where: { userId: user.id } })).toBe(1);
  });
});
