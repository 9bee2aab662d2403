import DataLoader from "dataloader";
import type { Deviation, DeviationChange, ReleaseDecision, Specification, SpecificationTest, TestResult } from "../../../generated/prisma/client.js";
import { byIdLoader, isUuid } from "#lib/graphql/ids.js";
import type { PrismaClient } from "#lib/prisma.js";

/** Rows of `ids`' owners, grouped in the order of `keys`; malformed UUIDs own nothing. */
function groupedLoader<T>(find: (keys: string[]) => Promise<T[]>, keyOf: (row: T) => string, uuidKeys = true): DataLoader<string, T[]> {
  return new DataLoader(async (keys) => {
    const valid = uuidKeys ? keys.filter(isUuid) : [...keys];
    const rows = valid.length > 0 ? await find(valid) : [];
    const groups = new Map<string, T[]>();
    for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/**
 * The per-request loaders of the qa subgraph: every lookup of one tick is one SQL statement,
 * so a page of 50 batches asking for their QA fields costs a handful of queries, not 50 each.
 */
export function createQaLoaders(prisma: PrismaClient) {
  return {
    specificationById: byIdLoader<Specification>((ids) => prisma.specification.findMany({ where: { id: { in: ids } } })),
    /** The version in force (the highest) of each product code. */
    specificationInForce: new DataLoader<string, Specification | null>(async (codes) => {
      const rows = await prisma.specification.findMany({ where: { productCode: { in: [...codes] } }, orderBy: { version: "desc" }, distinct: ["productCode"] });
      const byCode = new Map(rows.map((row) => [row.productCode, row]));
      return codes.map((code) => byCode.get(code) ?? null);
    }),
    testById: byIdLoader<SpecificationTest>((ids) => prisma.specificationTest.findMany({ where: { id: { in: ids } } })),
    testsBySpecification: groupedLoader<SpecificationTest>(
      (ids) => prisma.specificationTest.findMany({ where: { specificationId: { in: ids } }, orderBy: { position: "asc" } }),
      (row) => row.specificationId,
    ),
    resultsByBatch: groupedLoader<TestResult>(
      (ids) => prisma.testResult.findMany({ where: { batchId: { in: ids } }, orderBy: [{ recordedAt: "asc" }, { id: "asc" }] }),
      (row) => row.batchId,
    ),
    resultById: byIdLoader<TestResult>((ids) => prisma.testResult.findMany({ where: { id: { in: ids } } })),
    deviationById: byIdLoader<Deviation>((ids) => prisma.deviation.findMany({ where: { id: { in: ids } } })),
    deviationsByBatch: groupedLoader<Deviation>(
      (ids) => prisma.deviation.findMany({ where: { batchId: { in: ids } }, orderBy: { number: "asc" } }),
      (row) => row.batchId,
    ),
    deviationsByResult: groupedLoader<Deviation>(
      (ids) => prisma.deviation.findMany({ where: { testResultId: { in: ids } }, orderBy: { number: "asc" } }),
      (row) => row.testResultId ?? "",
    ),
    historyByDeviation: groupedLoader<DeviationChange>(
      (ids) => prisma.deviationChange.findMany({ where: { deviationId: { in: ids } }, orderBy: [{ changedAt: "asc" }, { id: "asc" }] }),
      (row) => row.deviationId,
    ),
    decisionByBatch: new DataLoader<string, ReleaseDecision | null>(async (ids) => {
      const valid = ids.filter(isUuid);
      const rows = valid.length > 0 ? await prisma.releaseDecision.findMany({ where: { batchId: { in: valid } } }) : [];
      const byBatch = new Map(rows.map((row) => [row.batchId, row]));
      return ids.map((id) => byBatch.get(id) ?? null);
    }),
  };
}

export type QaLoaders = ReturnType<typeof createQaLoaders>;
