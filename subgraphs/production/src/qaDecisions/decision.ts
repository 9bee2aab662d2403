/**
 * QA's release and rejection decisions as the QA service publishes them on its exchange
 * (`qa.events`): the envelope of every event (`lib/events/envelope.ts`), source `qa`, routing
 * key the type. Only a decision signed in the QA service releases or rejects a batch; this file
 * says what such a message must hold, and refuses anything else with a reason.
 */
import { UnhandleableEventError } from "#lib/events/deadLetter.js";
import type { EventEnvelope } from "#lib/events/envelope.js";
import { isUuid } from "#lib/graphql/ids.js";

/** The QA event types the production subgraph applies, also the routing keys it binds. */
export const QaEventType = {
  released: "qa.batch.released",
  rejected: "qa.batch.rejected",
} as const;

/** `source` of the QA service's envelopes. */
export const QA_SOURCE = "qa";

/** The status each decision type moves a batch to. */
const DECISIONS = { [QaEventType.released]: "RELEASED", [QaEventType.rejected]: "REJECTED" } as const;

/**
 * `data` of `qa.batch.released` and `qa.batch.rejected` as published (snake_case like every
 * event's data; subgraphs/qa/EVENTS.md has the other fields, which production does not read).
 */
export interface QaDecisionData {
  batch_id: string;
  decision_id: string;
  decision: "RELEASED" | "REJECTED";
  /** The QA user who signed. */
  signed_by: string;
  signed_by_name: string;
  /** What the signature means, for example "approved for release". */
  meaning: string;
  signed_at: string;
  /** Null for a release; the rejection's reason, not empty, for a rejection. */
  reason: string | null;
}

/** A decision read from its event, checked. */
export interface QaDecision {
  batchId: string;
  decisionId: string;
  decision: "RELEASED" | "REJECTED";
  signedById: string;
  signedByName: string;
  meaning: string;
  signedAt: string;
  reason: string | null;
  /** The event's id. */
  eventId: string;
  /** The envelope's correlation id (the QA request that signed), or null. */
  correlationId: string | null;
}

/**
 * Why a decision was dead-lettered besides the consumer's own reasons (`invalid`, …): the
 * consumer's `reasons`, a fixed list.
 */
export const DECISION_REASONS = [
  /** A routing key other than the two decision types. */
  "unknown_type",
  /** No batch with that id. */
  "unknown_batch",
  /** The batch is not in QA_HOLD (and does not carry this decision already): it cannot take it. */
  "not_in_qa_hold",
  /** The decision id was applied already, to another batch or with the other decision. */
  "decision_conflict",
] as const;

export type DecisionRefusal = (typeof DECISION_REASONS)[number] | "invalid";

export const refuse = (reason: DecisionRefusal, detail: string) => new UnhandleableEventError(reason, detail);

/** Longest name and meaning, and longest rejection reason, in characters. */
const MAX_NAME = 200;
const MAX_REASON = 1_000;

const text = (data: Record<string, unknown>, field: string, max: number): string => {
  const value = data[field];
  if (typeof value !== "string" || value.trim() === "") throw refuse("invalid", `${field} is missing or empty`);
  if (value.length > max) throw refuse("invalid", `${field} is longer than ${max} characters`);
  return value;
};

const uuid = (data: Record<string, unknown>, field: string): string => {
  const value = data[field];
  if (typeof value !== "string" || !isUuid(value)) throw refuse("invalid", `${field} is not a UUID`);
  return value.toLowerCase();
};

/**
 * The decision an event carries, or {@link UnhandleableEventError}: `unknown_type` for another
 * type, `invalid` naming the field for anything else that is not exactly the contract (an id
 * that is no UUID, a `decision` other than the type's, a rejection without a reason, a release
 * with one, a `signedAt` that is no time, another source than `qa`).
 */
export function readDecision(event: EventEnvelope<Record<string, unknown>>): QaDecision {
  const { type, data } = event;
  if (type !== QaEventType.released && type !== QaEventType.rejected) throw refuse("unknown_type", `unknown event type ${type.slice(0, 100)}`);
  if (event.source !== QA_SOURCE) throw refuse("invalid", `source is ${event.source.slice(0, 100)}, not ${QA_SOURCE}`);
  const expected = DECISIONS[type];
  if (data.decision !== expected) throw refuse("invalid", `decision is not ${expected}, as ${type} says`);
  const signedAt = text(data, "signed_at", MAX_NAME);
  if (Number.isNaN(new Date(signedAt).getTime())) throw refuse("invalid", "signed_at is not a time");
  let reason: string | null = null;
  if (expected === "REJECTED") reason = text(data, "reason", MAX_REASON);
  else if (data.reason !== null && data.reason !== undefined) throw refuse("invalid", "reason must be null for a release");
  return {
    eventId: event.id,
    correlationId: event.correlationId,
    batchId: uuid(data, "batch_id"),
    decisionId: uuid(data, "decision_id"),
    decision: expected,
    signedById: uuid(data, "signed_by"),
    signedByName: text(data, "signed_by_name", MAX_NAME),
    meaning: text(data, "meaning", MAX_NAME),
    signedAt: new Date(signedAt).toISOString(),
    reason,
  };
}

/** The audit trail's reason of a decision: its id, and what the signature means or why QA rejected. */
export const auditReason = (decision: Pick<QaDecision, "decisionId" | "decision" | "meaning" | "reason">) =>
  `QA decision ${decision.decisionId}: ${decision.decision === "REJECTED" ? decision.reason : decision.meaning}`;
