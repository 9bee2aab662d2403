import type { Deviation, DeviationClassification, Prisma } from "../../../../generated/prisma/client.js";
import { QA_EVENT_TYPES, qaEnvelope, writeQaEvents, type QaEventCause } from "../events/qaEvents.js";
import { appendDeviationChange, deviationNumber, fieldChanges } from "./deviationHistory.js";

/** A deviation to open; text already checked. */
export interface NewDeviation {
  batchId: string;
  batchNumber: string;
  title: string;
  description: string;
  classification: DeviationClassification;
  /** The out-of-specification result that opens it, if one does. */
  testResultId?: string;
  openedById: string;
}

/**
 * Opens a deviation in the caller's transaction (which holds the batch's lock): the row, the
 * OPENED entry of its history, and `qa.deviation.opened` in the outbox.
 */
export async function openDeviationTx(tx: Prisma.TransactionClient, deviation: NewDeviation, cause: QaEventCause): Promise<Deviation> {
  const { batchNumber, ...fields } = deviation;
  const row = await tx.deviation.create({ data: fields });
  await appendDeviationChange(tx, {
    deviationId: row.id,
    action: "OPENED",
    changes: fieldChanges(null, row),
    changedById: row.openedById,
    changedAt: row.openedAt,
  });
  const data = {
    deviation_id: row.id,
    number: deviationNumber(row.number),
    batch_id: row.batchId,
    batch_number: batchNumber,
    title: row.title,
    classification: row.classification,
    test_result_id: row.testResultId,
    opened_by: row.openedById,
    opened_at: row.openedAt.toISOString(),
  };
  await writeQaEvents(tx, row.batchId, [qaEnvelope(QA_EVENT_TYPES.deviationOpened, data, cause, row.openedAt)]);
  return row;
}
