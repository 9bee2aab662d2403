/**
 * Writes to deviations, each in one transaction holding the batch's lock (`lockBatch`), so that
 * a release decision never signs past a deviation opened or changed meanwhile. Changes are
 * conditional on the version read (`WHERE id AND version AND status = OPEN`): of two concurrent
 * changes exactly one applies. Every change appends its entry to the history in the same
 * transaction; opening and closing write their event to the outbox too.
 */
import type { Deviation, Prisma } from "../../../../generated/prisma/client.js";
import { checkText, type TextRule } from "#lib/graphql/text.js";
import { isUuid } from "#lib/graphql/ids.js";
import { TRANSACTION_OPTIONS } from "#lib/prisma.js";
import type { CloseDeviationInput, OpenDeviationInput, UpdateDeviationInput } from "../__generated__/resolvers-types.js";
import { lockBatch, lockUndecidedBatch } from "../batches/batchLock.js";
import type { QaContext } from "../context.js";
import { QA_EVENT_TYPES, qaEnvelope, writeQaEvents } from "../events/qaEvents.js";
import { closingIncomplete, deviationClosed, deviationNotFound, staleDeviation } from "./deviationErrors.js";
import { appendDeviationChange, deviationNumber, fieldChanges } from "./deviationHistory.js";
import { INVESTIGATION_TEXT, updateFields } from "./deviationInput.js";
import { openDeviationTx } from "./openDeviation.js";

const TITLE: TextRule = { max: 200 };
const DESCRIPTION: TextRule = { max: 4_000, multiline: true };

/** The batch statuses a deviation may be opened in: not once it is decided or over. */
const OPEN_FOR_DEVIATIONS = ["PLANNED", "IN_PROGRESS", "QA_HOLD"] as const;

function callerId(ctx: QaContext): string {
  if (!ctx.auth) throw new Error("a change reached a resolver without a verified caller");
  return ctx.auth.userId;
}

/** The deviation, open and still at `version`; otherwise NOT_FOUND or CONFLICT saying why not. */
async function openAt(db: Prisma.TransactionClient, id: string, version: number): Promise<Deviation> {
  const deviation = isUuid(id) ? await db.deviation.findUnique({ where: { id } }) : null;
  if (!deviation) throw deviationNotFound(id);
  if (deviation.status === "CLOSED") throw deviationClosed(deviation);
  if (deviation.version !== version) throw staleDeviation(deviation, version);
  return deviation;
}

/**
 * Applies `data` to `before` if it is still open at the version read, bumping the version.
 * Another change committed first: CONFLICT, from the deviation as it is now (read again: under
 * READ COMMITTED, PostgreSQL's default and Prisma's, each statement sees what committed before it).
 */
async function applyChange(tx: Prisma.TransactionClient, before: Deviation, data: Prisma.DeviationUpdateManyMutationInput): Promise<Deviation> {
  const [updated] = await tx.deviation.updateManyAndReturn({
    where: { id: before.id, version: before.version, status: "OPEN" },
    data: { ...data, version: { increment: 1 } },
  });
  if (updated) return updated;
  await openAt(tx, before.id, before.version);
  throw new Error(`${deviationNumber(before.number)} was not changed although it is open at version ${before.version}`);
}

/**
 * Opens a deviation on a batch that is PLANNED, IN_PROGRESS or QA_HOLD in production (QA or
 * production may): the row, its OPENED history entry and `qa.deviation.opened`. A batch QA has
 * already decided on is refused even while production has not applied the decision yet.
 */
export async function openDeviation(ctx: QaContext, input: OpenDeviationInput): Promise<Deviation> {
  const title = checkText("title", input.title, TITLE);
  const description = checkText("description", input.description, DESCRIPTION);
  const openedById = callerId(ctx);
  const batch = await ctx.batches.require(input.batchId, OPEN_FOR_DEVIATIONS, "a deviation");
  const deviation = await ctx.prisma.$transaction(async (tx) => {
    await lockUndecidedBatch(tx, batch, "a deviation cannot be opened");
    const fields = { batchId: batch.id, batchNumber: batch.batchNumber, title, description, classification: input.classification, openedById };
    return openDeviationTx(tx, fields, ctx);
  }, TRANSACTION_OPTIONS);
  ctx.logger.info(
    { deviationId: deviation.id, number: deviationNumber(deviation.number), batchId: deviation.batchId, classification: deviation.classification },
    "deviation opened",
  );
  return deviation;
}

/**
 * Records the investigation of an open deviation at the version read: the fields given change,
 * and an UPDATED history entry keeps each changed field's value before and after. Values equal
 * to the current ones change nothing: the deviation is returned as it is, its version unchanged.
 */
export async function updateDeviation(ctx: QaContext, id: string, input: UpdateDeviationInput): Promise<Deviation> {
  const changes = updateFields(input);
  const changedById = callerId(ctx);
  const { deviation, fields } = await ctx.prisma.$transaction(async (tx) => {
    const before = await openAt(tx, id, input.version);
    const changed = fieldChanges(before, changes);
    if (Object.keys(changed).length === 0) return { deviation: before, fields: [] };
    await lockBatch(tx, before.batchId);
    const updated = await applyChange(tx, before, changes);
    await appendDeviationChange(tx, { deviationId: updated.id, action: "UPDATED", changes: changed, changedById });
    return { deviation: updated, fields: Object.keys(changed) };
  }, TRANSACTION_OPTIONS);
  if (fields.length > 0) ctx.logger.info({ deviationId: deviation.id, number: deviationNumber(deviation.number), fields }, "deviation updated");
  return deviation;
}

/**
 * Closes an open deviation at the version read, QA only: it needs a root cause and a CAPA,
 * given now or before. Writes the CLOSED history entry (status, and the root cause and CAPA
 * where they change) and `qa.deviation.closed`. Closing is final.
 */
export async function closeDeviation(ctx: QaContext, id: string, input: CloseDeviationInput): Promise<Deviation> {
  const given = {
    ...(input.rootCause != null ? { rootCause: checkText("rootCause", input.rootCause, INVESTIGATION_TEXT) } : {}),
    ...(input.capa != null ? { capa: checkText("capa", input.capa, INVESTIGATION_TEXT) } : {}),
  };
  const closedById = callerId(ctx);
  const deviation = await ctx.prisma.$transaction(async (tx) => {
    const before = await openAt(tx, id, input.version);
    const rootCause = given.rootCause ?? before.rootCause;
    const capa = given.capa ?? before.capa;
    if (!rootCause) throw closingIncomplete(before, "rootCause");
    if (!capa) throw closingIncomplete(before, "capa");
    await lockBatch(tx, before.batchId);
    const closedAt = new Date();
    const closed = await applyChange(tx, before, { ...given, status: "CLOSED", closedById, closedAt });
    const changes = fieldChanges(before, { ...given, status: "CLOSED" });
    await appendDeviationChange(tx, { deviationId: closed.id, action: "CLOSED", changes, changedById: closedById, changedAt: closedAt });
    const data = {
      deviation_id: closed.id,
      number: deviationNumber(closed.number),
      batch_id: closed.batchId,
      classification: closed.classification,
      root_cause: rootCause,
      capa,
      closed_by: closedById,
      closed_at: closedAt.toISOString(),
    };
    await writeQaEvents(tx, closed.batchId, [qaEnvelope(QA_EVENT_TYPES.deviationClosed, data, ctx, closedAt)]);
    return closed;
  }, TRANSACTION_OPTIONS);
  ctx.logger.info(
    { deviationId: deviation.id, number: deviationNumber(deviation.number), batchId: deviation.batchId, closedBy: closedById },
    "deviation closed",
  );
  return deviation;
}
