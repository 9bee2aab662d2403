import type { BatchStatus } from "../../../../generated/prisma/enums.js";
import { apiError } from "#lib/errors.js";

/** Scope of production staff (and admins): plan, start, hold, complete, cancel. */
const WRITE = "batches:write";
/** Scope of QA: only QA releases, rejects or sends a held batch back for rework. */
const RELEASE = "batches:release";

/** What a transition needs besides the caller's scope. */
type Requirement = "reason" | "actualQuantity";

/** One allowed move of the status machine and what it takes. */
export interface Transition {
  to: BatchStatus;
  /** The scope the caller must hold. */
  scope: string;
  requires: readonly Requirement[];
  /**
   * QA's release and rejection: made only by a signed decision of the QA service (its
   * `releaseBatch` or `rejectBatch`), which the production subgraph applies from the
   * `qa.batch.released` / `qa.batch.rejected` events; `changeBatchStatus` refuses them.
   */
  qaDecision?: "releaseBatch" | "rejectBatch";
}

/**
 * The status machine (DESIGN, "Production domain"): every allowed transition, and the scope it
 * needs. This table is the one place that decides who may move a batch where; the SDL only
 * lets callers with `batches:write` or `batches:release` ask.
 */
const TRANSITIONS: Readonly<Record<BatchStatus, readonly Transition[]>> = {
  PLANNED: [
    { to: "IN_PROGRESS", scope: WRITE, requires: [] },
    { to: "CANCELLED", scope: WRITE, requires: ["reason"] },
  ],
  IN_PROGRESS: [{ to: "QA_HOLD", scope: WRITE, requires: [] }],
  QA_HOLD: [
    { to: "RELEASED", scope: RELEASE, requires: [], qaDecision: "releaseBatch" },
    { to: "REJECTED", scope: RELEASE, requires: ["reason"], qaDecision: "rejectBatch" },
    { to: "IN_PROGRESS", scope: RELEASE, requires: ["reason"] },
  ],
  RELEASED: [{ to: "COMPLETED", scope: WRITE, requires: ["actualQuantity"] }],
  COMPLETED: [],
  REJECTED: [],
  CANCELLED: [],
};

/** The statuses a batch in `from` may move to, in the order of the table. */
export const allowedNext = (from: BatchStatus): BatchStatus[] => TRANSITIONS[from].map((t) => t.to);

/** Whether `status` ends the life cycle: the batch record is then closed to any change. */
export const isFinal = (status: BatchStatus): boolean => TRANSITIONS[status].length === 0;

/**
 * The statuses in which a batch's master data (`updateBatch`) may change. From QA_HOLD on it is
 * frozen (GMP: QA decides on the batch as it was made); a rework back to IN_PROGRESS opens it again.
 */
export const OPEN_FOR_EDITS: readonly BatchStatus[] = ["PLANNED", "IN_PROGRESS"];

/** What a transition is asked with. */
export interface TransitionRequest {
  batchNumber: string;
  from: BatchStatus;
  to: BatchStatus;
  /** The caller's scopes. */
  scopes: readonly string[];
  reason: string | null;
  /** The actual quantity given with the request or recorded before; null when neither. */
  actualQuantity: number | null;
}

/**
 * The transition asked for, or the error that refuses it: BAD_USER_INPUT naming the allowed
 * next statuses when the machine has no such move, BAD_USER_INPUT naming the QA service's
 * mutation for a release or rejection (QA decisions only, {@link qaDecisionTransition}),
 * FORBIDDEN naming the scope when the caller lacks it, BAD_USER_INPUT naming the field when a
 * reason or an actual quantity is missing.
 */
export function authorizeTransition({ batchNumber, from, to, scopes, reason, actualQuantity }: TransitionRequest): Transition {
  const transition = TRANSITIONS[from].find((t) => t.to === to);
  if (!transition) {
    const allowed = allowedNext(from);
    const next = allowed.length > 0 ? `allowed next statuses: ${allowed.join(", ")}` : `${from} is final, no status may follow it`;
    throw apiError("BAD_USER_INPUT", `Batch ${batchNumber} cannot go from ${from} to ${to}: ${next}`, {
      field: "status",
      allowedStatuses: allowed,
    });
  }
  if (transition.qaDecision) {
    throw apiError(
      "BAD_USER_INPUT",
      `Batch ${batchNumber} is released or rejected through the QA service: use releaseBatch(batchId, signature) or rejectBatch(batchId, reason, signature)`,
      { field: "status", qaMutation: transition.qaDecision },
    );
  }
  if (!scopes.includes(transition.scope)) {
    throw apiError("FORBIDDEN", `Moving a batch from ${from} to ${to} requires scope ${transition.scope}`, {
      requiredScopes: [[transition.scope]],
    });
  }
  if (transition.requires.includes("reason") && !reason) {
    throw apiError("BAD_USER_INPUT", `A reason is required to move a batch from ${from} to ${to}`, { field: "reason" });
  }
  if (transition.requires.includes("actualQuantity") && actualQuantity === null) {
    throw apiError("BAD_USER_INPUT", `Completing batch ${batchNumber} requires its actual quantity: pass actualQuantity`, {
      field: "actualQuantity",
    });
  }
  return transition;
}

/**
 * The transition a QA decision (`RELEASED` or `REJECTED`) makes from `from`, or undefined when
 * a batch in `from` cannot take it: only the transitions marked `qaDecision`, which
 * {@link authorizeTransition} refuses to everyone else.
 */
export const qaDecisionTransition = (from: BatchStatus, to: BatchStatus): Transition | undefined =>
  TRANSITIONS[from].find((t) => t.to === to && t.qaDecision !== undefined);
