import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startQaServer, uniqueProduct, type TestQaServer } from "./qaServer.js";

const PUBLISH = /* GraphQL */ `
  mutation Publish($input: PublishSpecificationInput!) {
    publishSpecification(input: $input) {
      productCode
      version
      inForce
      note
      createdBy { id }
      tests { code name method unit lowerLimit upperLimit expectedText }
    }
  }
`;

const SPECIFICATION = /* GraphQL */ `
  query Specification($productCode: String!, $version: Int) {
    specification(productCode: $productCode, version: $version) {
      version
      inForce
      note
      tests { code lowerLimit upperLimit expectedText }
    }
  }
`;

const assay = { code: "assay", name: "Assay", method: "HPLC, Ph. Eur. 2.2.29", unit: "%", lowerLimit: 95, upperLimit: 105 };
const appearance = { code: "APPEARANCE", name: "Appearance", method: "Visual", expectedText: "Complies" };

describe("publishSpecification", () => {
  let qa: TestQaServer;

  beforeAll(async () => {
    qa = await startQaServer();
  });

  afterAll(() => qa?.stop());

  const publish = (input: Record<string, unknown>, token = qa.signIn("QA").token) => qa.call(PUBLISH, { input }, token);

  it("publishes version 1, then version 2, which is in force; version 1 stays as it was", async () => {
    const productCode = uniqueProduct();
    const publisher = qa.signIn("QA");
    const first = await publish({ productCode, note: "First issue", tests: [assay, appearance] }, publisher.token);
    expect(first.errors).toBeUndefined();
    expect(first.data?.publishSpecification).toEqual({
      productCode,
      version: 1,
      inForce: true,
      note: "First issue",
      createdBy: { id: publisher.userId },
      tests: [
        { code: "ASSAY", name: "Assay", method: "HPLC, Ph. Eur. 2.2.29", unit: "%", lowerLimit: 95, upperLimit: 105, expectedText: null },
        { code: "APPEARANCE", name: "Appearance", method: "Visual", unit: null, lowerLimit: null, upperLimit: null, expectedText: "Complies" },
      ],
    });
    expect(qa.logs).toContainEqual(expect.objectContaining({ msg: "specification published", productCode, version: 1 }));

    const second = await publish({ productCode, note: "Assay limits tightened", tests: [{ ...assay, lowerLimit: 97.5, upperLimit: 102.5 }] });
    expect(second.errors).toBeUndefined();
    expect(second.data?.publishSpecification).toMatchObject({ version: 2, inForce: true });

    const token = qa.signIn("VIEWER").token;
    const inForce = await qa.call(SPECIFICATION, { productCode }, token);
    expect(inForce.data).toEqual({
      specification: {
        version: 2,
        inForce: true,
        note: "Assay limits tightened",
        tests: [{ code: "ASSAY", lowerLimit: 97.5, upperLimit: 102.5, expectedText: null }],
      },
    });
    const v1 = await qa.call(SPECIFICATION, { productCode, version: 1 }, token);
    expect(v1.data).toEqual({
      specification: {
        version: 1,
        inForce: false,
        note: "First issue",
        tests: [
          { code: "ASSAY", lowerLimit: 95, upperLimit: 105, expectedText: null },
          { code: "APPEARANCE", lowerLimit: null, upperLimit: null, expectedText: "Complies" },
        ],
      },
    });
    const versions = await qa.call(`query($p: String!) { specificationVersions(productCode: $p) { version } }`, { p: productCode }, token);
    expect(versions.data).toEqual({ specificationVersions: [{ version: 2 }, { version: 1 }] });
  });

  it("gives concurrent publishes of one product distinct versions", async () => {
    const productCode = uniqueProduct();
    const results = await Promise.all([1, 2].map(() => publish({ productCode, tests: [assay] })));
    // The second to commit is tried once more (or, unluckily twice over, refused as a conflict):
    // never the same version twice.
    const outcomes = results.map(
      (result) => (result.data?.publishSpecification as { version: number } | undefined)?.version ?? result.errors?.[0]?.extensions?.code,
    );
    expect([
      [1, 2],
      [1, "CONFLICT"],
    ]).toContainEqual(outcomes.sort());
    const stored = await qa.runtime.prisma.specification.findMany({ where: { productCode }, select: { version: true }, orderBy: { version: "asc" } });
    expect(stored.map(({ version }) => version)).toEqual(outcomes.filter((outcome) => typeof outcome === "number"));
  });

  const refused = (field: string, message: string, extra: Record<string, unknown> = {}) => ({
    data: null,
    errors: [{ message, path: ["publishSpecification"], locations: expect.any(Array), extensions: { code: "BAD_USER_INPUT", field, ...extra } }],
  });

  it.each([
    ["no test", { tests: [] }, refused("tests", "a specification needs at least one test")],
    [
      "more than 100 tests",
      { tests: Array.from({ length: 101 }, (_, i) => ({ ...assay, code: `T${i}` })) },
      refused("tests", "a specification has at most 100 tests, got 101", { maxLength: 100 }),
    ],
    [
      "a code used twice (whatever its case)",
      { tests: [assay, appearance, { ...assay, code: "Assay" }] },
      refused("tests[2].code", "test code ASSAY is used twice (tests[0] and tests[2])"),
    ],
    [
      "neither limits nor an expected text",
      { tests: [assay, { code: "ID", name: "Identification", method: "IR" }] },
      refused("tests[1].lowerLimit", "tests[1] (ID) needs limits (lowerLimit, upperLimit or both) or an expectedText"),
    ],
    [
      "limits and an expected text",
      { tests: [{ ...assay, expectedText: "Complies" }] },
      refused("tests[0].expectedText", "tests[0] (ASSAY) has limits and an expected text: give one or the other"),
    ],
    [
      "a lower limit above the upper",
      { tests: [appearance, { ...assay, lowerLimit: 105, upperLimit: 95 }] },
      refused("tests[1].lowerLimit", "tests[1] (ASSAY) has lowerLimit 105 above upperLimit 95"),
    ],
    [
      "a limit the record cannot hold exactly",
      { tests: [{ ...assay, upperLimit: 100.1234567 }] },
      refused("tests[0].upperLimit", "tests[0].upperLimit must be a number with at most 12 digits before the point and 6 after it, got 100.1234567", {
        maxDecimals: 6,
      }),
    ],
    ["a blank code", { tests: [{ ...assay, code: "  " }] }, refused("tests[0].code", "tests[0].code must not be blank")],
    [
      "a name too long",
      { tests: [{ ...assay, name: "x".repeat(201) }] },
      refused("tests[0].name", "tests[0].name must be at most 200 characters long", { maxLength: 200 }),
    ],
    ["a product code too long", { productCode: "P".repeat(65) }, refused("productCode", "productCode must be at most 64 characters long", { maxLength: 64 })],
  ])("refuses %s, and publishes nothing", async (_case, change, expected) => {
    const productCode = uniqueProduct();
    const result = await publish({ productCode, tests: [assay], ...change });
    expect({ data: result.data, errors: result.errors }).toEqual(expected);
    expect(await qa.runtime.prisma.specification.count({ where: { productCode } })).toBe(0);
  });

  it("refuses a PRODUCTION user (no qa:approve)", async () => {
    const productCode = uniqueProduct();
    const result = await publish({ productCode, tests: [assay] }, qa.signIn("PRODUCTION").token);
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      {
        message: "Mutation.publishSpecification requires scope qa:approve",
        locations: expect.any(Array),
        path: ["publishSpecification"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["qa:approve"]] },
      },
    ]);
    expect(await qa.runtime.prisma.specification.count({ where: { productCode } })).toBe(0);
  });

  it("is append-only in PostgreSQL itself", async () => {
    const productCode = uniqueProduct();
    expect((await publish({ productCode, tests: [assay] })).errors).toBeUndefined();
    const { prisma } = qa.runtime;
    await expect(prisma.$executeRawUnsafe(`DELETE FROM qa.specifications WHERE product_code = $1`, productCode)).rejects.toThrow(
      "qa.specifications is append-only: DELETE refused",
    );
    await expect(prisma.$executeRawUnsafe(`UPDATE qa.specification_tests SET upper_limit = 110 WHERE code = 'ASSAY'`)).rejects.toThrow(
      "qa.specification_tests is append-only: UPDATE refused",
    );
    expect(await prisma.specification.count({ where: { productCode } })).toBe(1);
  });
});
