import { randomUUID } from "node:crypto";
import { Prisma, type Batch, type BatchStatusChange, type PrismaClient } from "../../../../generated/prisma/client.js";
import type { BatchStatus } from "../../../../generated/prisma/enums.js";
import { outboxInsert } from "../outbox/writeOutbox.js";
import type { Actor } from "./actor.js";
import { BATCH_COLUMNS } from "./batchColumns.js";
import { statusChanged } from "./batchEvents.js";
import { fieldChanges, historyRows } from "./changeHistory.js";

/** A status change the status machine allowed, of `batch` as it was read. */
export interface StatusChange {
  to: BatchStatus;
  reason: string | null;
  /** The actual quantity given with the change, checked; null when none. */
  actualQuantity: number | null;
  actor: Actor;
  /** The time of the change: of the batch's `updatedAt`, the audit row and the events. */
  at: Date;
  /**
   * The QA decision the change applies (its `decisionId`), kept in the audit row's
   * `qa_decision_id`, which is unique: the statement fails rather than apply it twice. Default none.
   */
  qaDecisionId?: string | null;
}

/**
 * Writes a status change of `batch` in ONE statement, one round trip, no interactive
 * transaction: the conditional update on the version read (`WHERE id AND version`), the audit
 * row, a change history row for a quantity that changes, and the events in the outbox. The
 * inserts read the updated row, so when the version moved meanwhile nothing is written and
 * the answer is null. Otherwise, the batch as updated.
 *
 * The audit row's id and time and the events are made here, from `batch` as the update leaves
 * it (the version matched, so no other column moved): the events carry exactly what is stored.
 */
export async function writeStatusChange(prisma: Pick<PrismaClient, "$queryRaw">, batch: Batch, change: StatusChange): Promise<Batch | null> {
  const { to, reason, actualQuantity: given, actor, at, qaDecisionId = null } = change;
  const quantity = given === null ? null : new Prisma.Decimal(given);
  const audit: BatchStatusChange = {
    id: randomUUID(),
    batchId: batch.id,
    fromStatus: batch.status,
    toStatus: to,
    reason,
    changedById: actor.userId,
    changedAt: at,
    qaDecisionId,
  };
  const after: Batch = { ...batch, status: to, actualQuantity: quantity ?? batch.actualQuantity, version: batch.version + 1, updatedAt: at };
  // A quantity given with the change is a change of the record too.
  const recorded =
    given === null ? [] : historyRows(fieldChanges(batch, { actualQuantity: given }), { batchId: batch.id, reason, changedById: actor.userId, changedAt: at });
  const history = recorded.map(({ id, field, oldValue, newValue }) => ({ id, field, oldValue, newValue }));

  const rows = await prisma.$queryRaw<Batch[]>`
    WITH changed AS (
      UPDATE production.batches
         SET status = ${to}::production."BatchStatus",
             actual_quantity = COALESCE(${quantity?.toFixed() ?? null}::numeric, actual_quantity),
             version = version + 1,
             updated_at = ${at}::timestamptz
       WHERE id = ${batch.id}::uuid AND version = ${batch.version}::int
      RETURNING *
    ), audit AS (
      INSERT INTO production.batch_status_changes (id, batch_id, from_status, to_status, reason, changed_by, changed_at, qa_decision_id)
      SELECT ${audit.id}::uuid, c.id, ${audit.fromStatus}::production."BatchStatus", c.status, ${reason}::text, ${actor.userId}::uuid, ${at}::timestamptz,
             ${qaDecisionId}::uuid
        FROM changed AS c
    ), history AS (
      INSERT INTO production.batch_field_changes (id, batch_id, field, old_value, new_value, reason, changed_by, changed_at)
      SELECT h.id, c.id, h.field, h."oldValue", h."newValue", ${reason}::text, ${actor.userId}::uuid, ${at}::timestamptz
        FROM changed AS c, jsonb_to_recordset(${JSON.stringify(history)}::jsonb) AS h(id uuid, field text, "oldValue" text, "newValue" text)
    ), outbox AS (${outboxInsert(Prisma.sql`changed`, statusChanged(after, audit, actor))})
    SELECT ${BATCH_COLUMNS} FROM changed`;
  return rows[0] ?? null;
}
