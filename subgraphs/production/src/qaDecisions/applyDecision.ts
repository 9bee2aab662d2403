import type { Batch, PrismaClient } from "../../../../generated/prisma/client.js";
import { qaDecisionTransition } from "../batches/statusMachine.js";
import { writeStatusChange } from "../batches/writeStatusChange.js";
import { auditReason, refuse, type QaDecision } from "./decision.js";

/** What applying a decision came to. */
export interface DecisionResult {
  /** `applied` now, or `already_applied` before (a decision delivered again). */
  outcome: "applied" | "already_applied";
  /** The batch as it is now. */
  batch: Batch;
}

/** Reads of a batch that kept changing under a decision before it gives up (the consumer retries later). */
const MAX_READS = 5;

/**
 * The audit row that applied the decision, if any, and the batch: both by unique keys. The
 * batch first, then the row: another copy commits both at once, so a batch read that sees its
 * status change is followed by a row read that sees its row (read side by side, the row could
 * be missed while the batch was already RELEASED, and the copy refused as not in QA_HOLD).
 */
async function read(prisma: PrismaClient, decision: QaDecision) {
  const batch = await prisma.batch.findUnique({ where: { id: decision.batchId } });
  const applied = await prisma.batchStatusChange.findUnique({ where: { qaDecisionId: decision.decisionId } });
  return [applied, batch] as const;
}

/**
 * Applies a QA decision **once**: QA_HOLD -> RELEASED or REJECTED (the status machine's QA
 * decision transitions), with the audit row (changed by the signer, the decision id in
 * `qa_decision_id`, the reason `QA decision <id>: <meaning or rejection reason>`) and
 * `batch.status.changed` in the outbox, in one statement ({@link writeStatusChange}).
 *
 * A decision whose audit row exists already is not written again (`already_applied`),
 * whatever the batch's status now. Two copies at once: both read the same version, one
 * statement applies, the other's conditional update matches no row (or its audit row breaks
 * the unique `qa_decision_id`), and reading again finds the decision applied. Refused with
 * {@link UnhandleableEventError}: `unknown_batch`, `not_in_qa_hold` (naming batch, decision and
 * status), `decision_conflict` (the id was applied to another batch or as the other decision).
 */
export async function applyQaDecision(prisma: PrismaClient, decision: QaDecision): Promise<DecisionResult> {
  const { decisionId, batchId, decision: to } = decision;
  for (let reads = 1; ; reads += 1) {
    const [applied, batch] = await read(prisma, decision);
    if (applied) {
      if (applied.batchId !== batchId || applied.toStatus !== to) {
        throw refuse(
          "decision_conflict",
          `decision ${decisionId} was applied already as ${applied.toStatus} of batch ${applied.batchId}, not ${to} of ${batchId}`,
        );
      }
      return { outcome: "already_applied", batch: batch! };
    }
    if (!batch) throw refuse("unknown_batch", `no batch ${batchId} for decision ${decisionId} (${to})`);
    if (!qaDecisionTransition(batch.status, to)) {
      throw refuse("not_in_qa_hold", `batch ${batch.batchNumber} (${batchId}) is ${batch.status}, not QA_HOLD: decision ${decisionId} (${to}) cannot apply`);
    }
    const actor = { userId: decision.signedById, requestId: decision.correlationId ?? decision.eventId, scopes: [] };
    const change = { to, reason: auditReason(decision), actualQuantity: null, actor, at: new Date(), qaDecisionId: decisionId };
    let changed: Batch | null;
    try {
      changed = await writeStatusChange(prisma, batch, change);
    } catch (err) {
      // Another copy wrote its audit row first (the unique `qa_decision_id`): the next read says so.
      const [again] = await read(prisma, decision);
      if (!again) throw err;
      changed = null;
    }
    if (changed) return { outcome: "applied", batch: changed };
    // The batch changed meanwhile (another copy of this decision, or any change): read it again.
    if (reads >= MAX_READS) throw new Error(`batch ${batchId} kept changing while decision ${decisionId} was applied`);
  }
}
