import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { verifyPassword } from "#lib/auth/passwords.js";
import { createPrismaClient } from "#lib/prisma.js";
import { readPrepare } from "#lib/config.js";
import { checkSpecification } from "../subgraphs/qa/src/specifications/specificationInput.js";
import { DEMO_SPECIFICATIONS, demoSpecifications, seedSpecifications } from "./demoSpecifications.js";
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

describe("demoSpecifications", () => {
  it("gives version 1 of the three demo products outside production, and nothing in production", () => {
    expect(demoSpecifications(readPrepare({ NODE_ENV: "development" })).map(({ productCode }) => productCode)).toEqual(["PARA-500", "IBU-400", "AMOX-250"]);
    expect(demoSpecifications(readPrepare({ NODE_ENV: "production", ADMIN_PASSWORD: "s3cret-enough" }))).toEqual([]);
  });

  it("would each be accepted by publishSpecification", () => {
    for (const spec of DEMO_SPECIFICATIONS) expect(() => checkSpecification(spec), spec.productCode).not.toThrow();
  });
});

describe("seedSpecifications", () => {
  // The demo specifications under product codes of this test only: other tests share the run's database.
  const suffix = randomBytes(3).toString("hex").toUpperCase();
  const specs = DEMO_SPECIFICATIONS.map((spec) => ({ ...spec, productCode: `${spec.productCode}-${suffix}` }));
  const publisher = "6f1c1b9e-52d5-4a53-9d55-0f6c3f1f9a02";

  it("creates version 1 of each product's specification once, then leaves them alone", async () => {
    expect(await seedSpecifications(prisma, specs, publisher)).toEqual(specs.map(({ productCode }) => ({ productCode, version: 1, status: "created" })));
    const para = await prisma.specification.findUniqueOrThrow({
      where: { productCode_version: { productCode: specs[0]!.productCode, version: 1 } },
      include: { tests: { orderBy: { position: "asc" } } },
    });
    expect(para).toMatchObject({ createdById: publisher, note: DEMO_SPECIFICATIONS[0]!.note });
    expect(
      para.tests.map(({ code, lowerLimit, upperLimit, expectedText }) => [code, lowerLimit?.toNumber() ?? null, upperLimit?.toNumber() ?? null, expectedText]),
    ).toEqual([
      ["APPEARANCE", null, null, "Complies"],
      ["IDENTITY", null, null, "Complies"],
      ["ASSAY", 95, 105, null],
      ["DISSOLUTION", 80, null, null],
      ["UNIFORMITY", 85, 115, null],
      ["IMPURITY-K", null, 0.1, null],
      ["MICRO", null, 1000, null],
    ]);

    // Another `npm start`, with a version 2 published since: nothing is added.
    await prisma.specification.create({
      data: {
        productCode: specs[1]!.productCode,
        version: 2,
        createdById: publisher,
        tests: { create: [{ code: "ASSAY", name: "Assay", method: "HPLC", lowerLimit: 97, position: 0 }] },
      },
    });
    expect(await seedSpecifications(prisma, specs, publisher)).toEqual([
      { productCode: specs[0]!.productCode, version: 1, status: "exists" },
      { productCode: specs[1]!.productCode, version: 2, status: "exists" },
      { productCode: specs[2]!.productCode, version: 1, status: "exists" },
    ]);
    expect(await prisma.specification.count({ where: { productCode: { in: specs.map(({ productCode }) => productCode) } } })).toBe(4);
  });
});
