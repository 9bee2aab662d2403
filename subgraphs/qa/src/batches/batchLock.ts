import type { Prisma } from "../../../../generated/prisma/client.js";

/**
 * Serialises QA's writes about one batch (results, deviations, the decision) for the rest of
 * the transaction: a decision checks what it signs with no result or deviation slipping in
 * between. A PostgreSQL advisory lock, released at commit or rollback.
 */
export async function lockBatch(tx: Prisma.TransactionClient, batchId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`qa.batch:${batchId}`}))`;
}
