/**
 * Writes to batches. Every write is a conditional UPDATE on the version read (`WHERE id = $1
 * AND version = $2`), so of two concurrent changes exactly one applies; a status change also
 * writes its audit row and its events in the same statement, a stage advance its stage
 * history row likewise, a change of master data one change history row per field in one
 * transaction.
 */
import { randomUUID } from "node:crypto";
import type { Batch, PrismaClient } from "../../../../generated/prisma/client.js";
import type { BatchStatus } from "../../../../generated/prisma/enums.js";
import { apiError } from "#lib/errors.js";
import { isUuid } from "#lib/graphql/ids.js";
import type { CreateBatchInput, UpdateBatchInput } from "../__generated__/resolvers-types.js";
import { writeOutbox } from "../outbox/writeOutbox.js";
import type { Actor } from "./actor.js";
import { batchFrozen, batchNotFound, staleVersion } from "./batchErrors.js";
import { batchCreated } from "./batchEvents.js";
import { createFields, quantity, reasonText, updateFields } from "./batchInput.js";
import { fieldChanges, historyRows } from "./changeHistory.js";
import { nextStage } from "./stages.js";
import { authorizeTransition, OPEN_FOR_EDITS } from "./statusMachine.js";
import { writeStageChange } from "./writeStageChange.js";
import { writeStatusChange } from "./writeStatusChange.js";

/** The batch as it is now, or NOT_FOUND; with `version`, CONFLICT unless that is still its version. */
async function current(prisma: Pick<PrismaClient, "batch">, id: string, version?: number | null): Promise<Batch> {
  const batch = isUuid(id) ? await prisma.batch.findUnique({ where: { id } }) : null;
  if (!batch) throw batchNotFound(id);
  if (version != null && version !== batch.version) throw staleVersion(batch, version);
  return batch;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === "P2002";

/**
 * Creates a batch, PLANNED at the first stage, with its first audit row, its first stage
 * history row and `batch.created`.
 */
export async function createBatch(prisma: PrismaClient, input: CreateBatchInput, actor: Actor): Promise<Batch> {
  const fields = createFields(input);
  const now = new Date();
  try {
    return await prisma.$transaction(async (tx) => {
      const batch = await tx.batch.create({
        data: { id: randomUUID(), ...fields, createdById: actor.userId, createdAt: now, updatedAt: now },
      });
      await tx.batchStatusChange.create({
        data: { batchId: batch.id, fromStatus: null, toStatus: batch.status, changedById: actor.userId, changedAt: now },
      });
      await tx.batchStageChange.create({
        data: { batchId: batch.id, fromStage: null, toStage: batch.stage, changedById: actor.userId, changedAt: now },
      });
      await writeOutbox(tx, batch.id, [batchCreated(batch, actor)]);
      return batch;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw apiError("CONFLICT", `Batch number ${fields.batchNumber} is taken`, { field: "batchNumber" });
    throw err;
  }
}

/**
 * Changes some fields of a PLANNED or IN_PROGRESS batch, if `version` is still its version,
 * and records each field whose value changes in the change history, in the same transaction.
 * From QA_HOLD on the master data is frozen (BAD_USER_INPUT). Values equal to the current ones
 * change nothing: when no field differs, the batch is returned as it is, its version unchanged.
 */
export async function updateBatch(
  prisma: PrismaClient,
  id: string,
  version: number,
  input: UpdateBatchInput,
  reason: string | null | undefined,
  actor: Actor,
): Promise<Batch> {
  const changes = updateFields(input);
  const why = reasonText(reason);
  return prisma.$transaction(async (tx) => {
    const batch = await current(tx, id, version);
    if (!OPEN_FOR_EDITS.includes(batch.status)) throw batchFrozen(batch);
    const changed = fieldChanges(batch, changes);
    if (changed.length === 0) return batch;
    const now = new Date();
    const [updated] = await tx.batch.updateManyAndReturn({
      where: { id, version, status: { in: [...OPEN_FOR_EDITS] } },
      data: { ...changes, version: { increment: 1 }, updatedAt: now },
    });
    if (!updated) {
      // Changed meanwhile: say how, from the batch as it is now.
      const now = await current(tx, id);
      throw OPEN_FOR_EDITS.includes(now.status) ? staleVersion(now, version) : batchFrozen(now);
    }
    await tx.batchFieldChange.createMany({ data: historyRows(changed, { batchId: id, reason: why, changedById: actor.userId, changedAt: now }) });
    return updated;
  });
}

/** What `changeBatchStatus` asks for. */
export interface StatusRequest {
  status: BatchStatus;
  reason?: string | null;
  actualQuantity?: number | null;
  version?: number | null;
}

/**
 * Moves a batch to `request.status` if the status machine allows it for this actor, and writes
 * the audit row and the events with it: one read, then one statement ({@link writeStatusChange}),
 * no interactive transaction to wait for or to expire under load.
 */
export async function changeStatus(prisma: PrismaClient, id: string, request: StatusRequest, actor: Actor): Promise<Batch> {
  const reason = reasonText(request.reason);
  const given = request.actualQuantity == null ? null : quantity("actualQuantity", request.actualQuantity, true);
  const batch = await current(prisma, id, request.version);
  authorizeTransition({
    batchNumber: batch.batchNumber,
    from: batch.status,
    to: request.status,
    scopes: actor.scopes,
    reason,
    actualQuantity: given ?? batch.actualQuantity?.toNumber() ?? null,
  });
  // Taken after the read, so that the audit times of one batch only grow.
  const changed = await writeStatusChange(prisma, batch, { to: request.status, reason, actualQuantity: given, actor, at: new Date() });
  if (!changed) throw staleVersion(await current(prisma, id), request.version ?? batch.version);
  return changed;
}

/** Moves an IN_PROGRESS batch to its next stage, writing the stage history row in the same statement ({@link writeStageChange}). */
export async function advanceStage(prisma: PrismaClient, id: string, version: number | null | undefined, actor: Actor): Promise<Batch> {
  const batch = await current(prisma, id, version);
  if (batch.status !== "IN_PROGRESS") {
    throw apiError("BAD_USER_INPUT", `Batch ${batch.batchNumber} is ${batch.status}: only an IN_PROGRESS batch advances its stage`, {
      status: batch.status,
    });
  }
  const stage = nextStage(batch.stage);
  if (!stage) throw apiError("BAD_USER_INPUT", `Batch ${batch.batchNumber} is at its last stage, ${batch.stage}`, { stage: batch.stage });
  // Taken after the read, so that the history times of one batch only grow.
  const advanced = await writeStageChange(prisma, batch, stage, actor, new Date());
  if (!advanced) throw staleVersion(await current(prisma, id), version ?? batch.version);
  return advanced;
}
