import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { verifyPassword } from "#lib/auth/passwords.js";
import { createPrismaClient } from "#lib/prisma.js";
import { readPrepare } from "#lib/config.js";
import { seed, seedAccounts, type SeedAccount } from "./seed.js";

const prisma = createPrismaClient(inject("databaseUrl"));
afterAll(() => prisma.$disconnect());

// Emails of this file only: other tests share the run's database.
const unique = () => `seed-${randomBytes(4).toString("hex")}@example.com`;
const account = (email: string, password: string | undefined): SeedAccount => ({ email, name: "Seed Test", roles: ["QA"], password });

const credentialOf = async (email: string) => {
  const user = await prisma.user.findUniqueOrThrow({ where: { email } });
  return prisma.credential.findUniqueOrThrow({ where: { userId: user.id } });
};

describe("seedAccounts", () => {
  it("gives the admin and the three demo accounts outside production, with documented defaults", () => {
    const accounts = seedAccounts(readPrepare({ NODE_ENV: "development" }));
    expect(accounts.map(({ email, roles, password }) => ({ email, roles, password }))).toEqual([
      { email: "admin@example.com", roles: ["ADMIN"], password: "admin-password" },
      { email: "qa@example.com", roles: ["QA"], password: "demo-password" },
      { email: "production@example.com", roles: ["PRODUCTION"], password: "demo-password" },
      { email: "viewer@example.com", roles: ["VIEWER"], password: "demo-password" },
    ]);
  });

  it("gives only the admin in production, with no default password", () => {
    expect(seedAccounts(readPrepare({ NODE_ENV: "production", ADMIN_EMAIL: "Root@Example.com" }))).toMatchObject([
      { email: "root@example.com", roles: ["ADMIN"], password: undefined },
    ]);
    expect(seedAccounts(readPrepare({ NODE_ENV: "production", ADMIN_PASSWORD: "s3cret-enough" }))[0]?.password).toBe("s3cret-enough");
  });
});

describe("seed", () => {
  it("creates an active user with a credential once, then leaves a changed password alone", async () => {
    const email = unique();
    expect(await seed(prisma, [account(email, "first-password")])).toEqual([{ email, role: "QA", status: "created" }]);
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    expect(user).toMatchObject({ roles: ["QA"], active: true });
    expect(await verifyPassword("first-password", (await credentialOf(email)).passwordHash)).toBe(true);

    // The user changes the password; seeding again (another `npm start`) must not undo it.
    const changed = await prisma.credential.update({ where: { userId: user.id }, data: { passwordHash: "scrypt$changed" } });
    expect(await seed(prisma, [account(email, "first-password")])).toEqual([{ email, role: "QA", status: "exists" }]);
    expect(await credentialOf(email)).toEqual(changed);
    expect(await prisma.user.count({ where: { email } })).toBe(1);
  });

  it("refuses to create an account without a password, and creates nothing", async () => {
    const email = unique();
    await expect(seed(prisma, [account(email, undefined)])).rejects.toThrow(
      `seed: ADMIN_PASSWORD must be set to create the admin ${email} when NODE_ENV=production`,
    );
    expect(await prisma.user.count({ where: { email } })).toBe(0);
  });
});
