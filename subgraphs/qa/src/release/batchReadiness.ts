import type { BatchStatus, Prisma } from "../../../../generated/prisma/client.js";
import type { QaLoaders } from "../loaders.js";
import { assessReadiness, type Readiness } from "./readiness.js";

/** The batch a readiness check is about. */
interface BatchFacts {
  id: string;
  productCode: string;
  status: BatchStatus;
}

/** Readiness through the request's loaders: one statement per kind of row for a whole page of batches. */
export async function loadReadiness(loaders: QaLoaders, batch: BatchFacts): Promise<Readiness> {
  const specification = await loaders.specificationInForce.load(batch.productCode);
  const [tests, results, deviations] = await Promise.all([
    specification ? loaders.testsBySpecification.load(specification.id) : [],
    loaders.resultsByBatch.load(batch.id),
    loaders.deviationsByBatch.load(batch.id),
  ]);
  return assessReadiness({ status: batch.status, specification, tests, results, deviations });
}

/** Readiness read afresh in a transaction that holds the batch's lock: what a decision signs. */
export async function readReadiness(tx: Prisma.TransactionClient, batch: BatchFacts): Promise<Readiness> {
  const specification = await tx.specification.findFirst({ where: { productCode: batch.productCode }, orderBy: { version: "desc" } });
  const [tests, results, deviations] = await Promise.all([
    specification ? tx.specificationTest.findMany({ where: { specificationId: specification.id }, orderBy: { position: "asc" } }) : [],
    tx.testResult.findMany({ where: { batchId: batch.id }, orderBy: [{ recordedAt: "asc" }, { id: "asc" }] }),
    tx.deviation.findMany({ where: { batchId: batch.id }, orderBy: { number: "asc" } }),
  ]);
  return assessReadiness({ status: batch.status, specification, tests, results, deviations });
}
