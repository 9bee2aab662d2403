/**
 * Demo specifications, seeded with the demo accounts outside production only: version 1 of
 * the specification of each demo product (`PARA-500`, `IBU-400`, `AMOX-250`), published by
 * the demo QA user, so that results can be recorded against demo batches at once. A product
 * that has a specification already is left alone: seeding again never adds a version.
 */
import type { PrismaClient } from "#lib/prisma.js";

/** One test of a demo specification: limits (either may be open) or an expected text. */
export interface DemoTest {
  code: string;
  name: string;
  method: string;
  unit?: string;
  lowerLimit?: number;
  upperLimit?: number;
  expectedText?: string;
}

/** A demo specification, version 1 of its product's. */
export interface DemoSpecification {
  productCode: string;
  note: string;
  tests: DemoTest[];
}

/** What seeding did with one demo specification. */
export interface SpecificationOutcome {
  productCode: string;
  version: number;
  status: "created" | "exists";
}

const APPEARANCE = { code: "APPEARANCE", name: "Appearance", method: "Visual inspection", expectedText: "Complies" };
const TAMC = { code: "MICRO", name: "Microbial count (TAMC)", method: "Ph. Eur. 2.6.12", unit: "cfu/g", upperLimit: 1000 };
const TYMC = { code: "YEASTS", name: "Yeasts and moulds (TYMC)", method: "Ph. Eur. 2.6.12", unit: "cfu/g", upperLimit: 100 };

/** The demo products' specifications, with pharmacopoeial tests and methods. */
export const DEMO_SPECIFICATIONS: DemoSpecification[] = [
  {
    productCode: "PARA-500",
    note: "Paracetamol 500 mg tablets: release specification (Ph. Eur. monograph 0049, tablets 0478)",
    tests: [
      APPEARANCE,
      { code: "IDENTITY", name: "Identification (IR)", method: "IR spectrophotometry, Ph. Eur. 2.2.24", expectedText: "Complies" },
      { code: "ASSAY", name: "Assay (paracetamol)", method: "HPLC, Ph. Eur. 2.2.29", unit: "%", lowerLimit: 95, upperLimit: 105 },
      { code: "DISSOLUTION", name: "Dissolution (30 min)", method: "Ph. Eur. 2.9.3, paddle apparatus", unit: "%", lowerLimit: 80 },
      { code: "UNIFORMITY", name: "Uniformity of dosage units", method: "Ph. Eur. 2.9.40", unit: "%", lowerLimit: 85, upperLimit: 115 },
      { code: "IMPURITY-K", name: "Related substances: 4-aminophenol", method: "HPLC, Ph. Eur. 2.2.29", unit: "%", upperLimit: 0.1 },
      TAMC,
    ],
  },
  {
    productCode: "IBU-400",
    note: "Ibuprofen 400 mg film-coated tablets: release specification (Ph. Eur. monograph 0721)",
    tests: [
      APPEARANCE,
      { code: "IDENTITY", name: "Identification (IR)", method: "IR spectrophotometry, Ph. Eur. 2.2.24", expectedText: "Complies" },
      { code: "ASSAY", name: "Assay (ibuprofen)", method: "HPLC, Ph. Eur. 2.2.29", unit: "%", lowerLimit: 95, upperLimit: 105 },
      { code: "DISSOLUTION", name: "Dissolution (45 min, pH 7.2)", method: "Ph. Eur. 2.9.3, paddle apparatus", unit: "%", lowerLimit: 80 },
      { code: "UNIFORMITY", name: "Uniformity of dosage units", method: "Ph. Eur. 2.9.40", unit: "%", lowerLimit: 85, upperLimit: 115 },
      { code: "IMPURITY-C", name: "Related substances: impurity C", method: "HPLC, Ph. Eur. 2.2.29", unit: "%", upperLimit: 0.2 },
      TAMC,
    ],
  },
  {
    productCode: "AMOX-250",
    note: "Amoxicillin 250 mg capsules: release specification (Ph. Eur. monograph 0260)",
    tests: [
      APPEARANCE,
      { code: "IDENTITY", name: "Identification (HPLC retention time)", method: "HPLC, Ph. Eur. 2.2.29", expectedText: "Complies" },
      { code: "ASSAY", name: "Assay (amoxicillin)", method: "HPLC, Ph. Eur. 2.2.29", unit: "%", lowerLimit: 92.5, upperLimit: 110 },
      { code: "DISSOLUTION", name: "Dissolution (60 min)", method: "Ph. Eur. 2.9.3, basket apparatus", unit: "%", lowerLimit: 80 },
      { code: "WATER", name: "Water content", method: "Karl Fischer, Ph. Eur. 2.5.12", unit: "%", upperLimit: 14 },
      { code: "UNIFORMITY", name: "Uniformity of mass", method: "Ph. Eur. 2.9.5", unit: "%", lowerLimit: 92.5, upperLimit: 107.5 },
      TAMC,
      TYMC,
    ],
  },
];

/** The demo specifications to seed: none in production. */
export const demoSpecifications = ({ production }: { production: boolean }): DemoSpecification[] => (production ? [] : DEMO_SPECIFICATIONS);

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === "P2002";

/**
 * Creates version 1 of each specification whose product has none yet, published by
 * `createdById` (the demo QA user); one outcome per specification, in order. A product with
 * any version is `exists`, with the version in force.
 */
export async function seedSpecifications(prisma: PrismaClient, specifications: DemoSpecification[], createdById: string): Promise<SpecificationOutcome[]> {
  const outcomes: SpecificationOutcome[] = [];
  for (const { productCode, note, tests } of specifications) {
    const inForce = await prisma.specification.findFirst({ where: { productCode }, orderBy: { version: "desc" }, select: { version: true } });
    if (inForce) {
      outcomes.push({ productCode, version: inForce.version, status: "exists" });
      continue;
    }
    try {
      const data = tests.map((test, position) => ({ unit: null, lowerLimit: null, upperLimit: null, expectedText: null, ...test, position }));
      await prisma.specification.create({ data: { productCode, version: 1, note, createdById, tests: { create: data } } });
      outcomes.push({ productCode, version: 1, status: "created" });
    } catch (err) {
      // A concurrent prepare (or a QA user) published it first.
      if (!isUniqueViolation(err)) throw err;
      outcomes.push({ productCode, version: 1, status: "exists" });
    }
  }
  return outcomes;
}
