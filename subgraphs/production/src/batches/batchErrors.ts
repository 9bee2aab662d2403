import type { Batch } from "../../../../generated/prisma/client.js";
import { apiError } from "#lib/errors.js";
import { isFinal } from "./statusMachine.js";

/** NOT_FOUND for a batch id that names no batch. */
export const batchNotFound = (id: string) => apiError("NOT_FOUND", `No batch with id ${id}`, { id });

/**
 * CONFLICT for a change made against a version that is no longer the batch's: the message
 * and `extensions.currentVersion` give the current one, to read the batch again and retry.
 */
export const staleVersion = (batch: Pick<Batch, "batchNumber" | "version">, given: number | null) =>
  apiError(
    "CONFLICT",
    `Batch ${batch.batchNumber} was changed meanwhile: its current version is ${batch.version}${given === null ? "" : `, not ${given}`}. Read it again and retry.`,
    { currentVersion: batch.version },
  );

/**
 * BAD_USER_INPUT for a change to the master data of a batch from QA_HOLD on: frozen for QA's
 * decision (a rework back to IN_PROGRESS opens it again), closed for good once final.
 */
export const batchFrozen = (batch: Pick<Batch, "batchNumber" | "status">) =>
  apiError(
    "BAD_USER_INPUT",
    isFinal(batch.status)
      ? `Batch ${batch.batchNumber} is ${batch.status}: its record is closed to changes`
      : `Batch ${batch.batchNumber} is ${batch.status}: its master data is frozen from QA_HOLD on`,
    { status: batch.status },
  );
