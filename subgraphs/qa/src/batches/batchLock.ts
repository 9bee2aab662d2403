import type { Prisma } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";

/**
 * Serialises QA's writes about one batch (results, deviations, the decision) for the rest of
 * the transaction: a decision checks what it signs with no result or deviation slipping in
 * between. A PostgreSQL advisory lock, released at commit or rollback.
 */
export async function lockBatch(tx: Prisma.TransactionClient, batchId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`qa.batch:${batchId}`}))`;
}

/**
 * {@link lockBatch}, then refuses with CONFLICT a batch QA has already decided on: its QA record
 * is closed, even while production has not applied the decision yet (RabbitMQ away).
 * `what` names what was refused: "a deviation cannot be opened", "a test result cannot be recorded".
 */
export async function lockUndecidedBatch(tx: Prisma.TransactionClient, batch: { id: string; batchNumber: string }, what: string): Promise<void> {
  await lockBatch(tx, batch.id);
  const decision = await tx.releaseDecision.findUnique({ where: { batchId: batch.id }, select: { decision: true, signedAt: true } });
  if (decision) {
    throw apiError(
      "CONFLICT",
      `Batch ${batch.batchNumber} was already ${decision.decision} by QA at ${decision.signedAt.toISOString()}: ${what} on a decided batch`,
      {
        field: "batchId",
        status: decision.decision,
      },
    );
  }
}
