/**
 * Checks an event from the broker against the database before subscribers see it. The
 * exchange is open to other systems (the monolith, the MES), and an event is a claim: "batch
 * B-1 was RELEASED by qa@…". Only what the production records confirm is delivered, and
 * delivered as recorded; anything else is dead-lettered with the reason.
 */
import { isDeepStrictEqual } from "node:util";
import type { PrismaClient } from "../../../../generated/prisma/client.js";
import { BatchStatus } from "../../../../generated/prisma/enums.js";
import { UnhandleableEventError } from "#lib/events/deadLetter.js";
import { isUuid } from "#lib/graphql/ids.js";
import { EventType } from "../batches/batchEvents.js";
import { yieldOf } from "../batches/yield.js";
import type { BatchEvent } from "./payloads.js";

/** Why an event contradicts the records: the consumer's `reasons`, a fixed list. */
export const VERIFY_REASONS = [
  /** A type this consumer does not deliver. */
  "unknown_type",
  /** No batch with that id. */
  "unknown_batch",
  /** The batch's recorded history holds no such status change. */
  "status_not_recorded",
  /** The recorded change was made by someone else than the event says. */
  "actor_not_recorded",
  /** Another claim (the batch number) differs from the record. */
  "contradicts_record",
  /** The id is one of our own events, but the content is not what we published. */
  "contradicts_event_log",
] as const;

const STATUSES = new Set<string>(Object.values(BatchStatus));
const KNOWN_TYPES = new Set<string>(Object.values(EventType));

const refuse = (reason: (typeof VERIFY_REASONS)[number] | "invalid", detail: string) => new UnhandleableEventError(reason, detail);

/** An optional claim: absent (undefined or null), or a value `check` accepts; anything else is `invalid`. */
function claim<T>(data: Record<string, unknown>, field: string, check: (value: unknown) => value is T): T | undefined {
  const value = data[field];
  if (value === undefined || value === null) return undefined;
  if (!check(value)) throw refuse("invalid", `${field} is not valid`);
  return value;
}

const uuid = (value: unknown): value is string => typeof value === "string" && isUuid(value);
const status = (value: unknown): value is BatchStatus => typeof value === "string" && STATUSES.has(value);
const shortText = (value: unknown): value is string => typeof value === "string" && value.length <= 200;

/** What an event claims, checked for shape. */
interface Claims {
  batchId: string;
  /** The status change the event is about: to `to`, from `from` (null for the creation) when said. */
  to: BatchStatus;
  from?: BatchStatus | null;
  actor?: string;
  batchNumber?: string;
}

function claimsOf(event: BatchEvent): Claims {
  const { data, type } = event;
  if (!KNOWN_TYPES.has(type)) throw refuse("unknown_type", `unknown event type ${type.slice(0, 100)}`);
  const batchId = claim(data, "batch_id", uuid);
  if (batchId === undefined) throw refuse("invalid", "batch_id is missing");
  const batchNumber = claim(data, "batch_number", shortText);
  switch (type) {
    case EventType.created:
      return { batchId, batchNumber, to: "PLANNED", from: null, actor: claim(data, "created_by", uuid) };
    case EventType.completed:
      return { batchId, batchNumber, to: "COMPLETED", actor: claim(data, "completed_by", uuid) };
    default: {
      const to = claim(data, "new_status", status);
      if (to === undefined) throw refuse("invalid", "new_status is missing");
      return { batchId, batchNumber, to, from: claim(data, "old_status", status), actor: claim(data, "changed_by", uuid) };
    }
  }
}

/** The row the one verifying statement returns. */
interface RecordRow {
  stored_type: string | null;
  stored: BatchEvent | null;
  id: string | null;
  batch_number: string;
  product_code: string;
  product_name: string;
  planned_quantity: number;
  actual_quantity: number | null;
  unit: string;
  created_at: Date;
  from_status: BatchStatus | null;
  to_status: BatchStatus | null;
  reason: string | null;
  changed_by: string | null;
  changed_at: Date | null;
}

/**
 * One statement, on primary keys and the audit trail's (batch_id, changed_at) index: the
 * outbox row with the event's id (our own events), the batch, and the recorded status change
 * the event claims, preferring one made by the claimed actor, the latest first.
 */
const readRecord = (prisma: PrismaClient, eventId: string | null, claims: Claims) => prisma.$queryRaw<RecordRow[]>`
  SELECT o.type AS stored_type, o.envelope AS stored,
         b.id::text AS id, b.batch_number, b.product_code, b.product_name,
         b.planned_quantity::float8 AS planned_quantity, b.actual_quantity::float8 AS actual_quantity, b.unit, b.created_at,
         t.from_status::text AS from_status, t.to_status::text AS to_status, t.reason, t.changed_by::text AS changed_by, t.changed_at
  FROM (SELECT 1) AS one
  LEFT JOIN production.outbox_events o ON o.id = ${eventId}::uuid
  LEFT JOIN production.batches b ON b.id = ${claims.batchId}::uuid
  LEFT JOIN LATERAL (
    SELECT s.from_status, s.to_status, s.reason, s.changed_by, s.changed_at
    FROM production.batch_status_changes s
    WHERE s.batch_id = b.id AND s.to_status::text = ${claims.to}
      AND (${claims.from !== undefined} = false OR s.from_status::text IS NOT DISTINCT FROM ${claims.from ?? null}::text)
    ORDER BY (s.changed_by::text = ${claims.actor ?? null}::text) IS TRUE DESC, s.changed_at DESC, s.id DESC
    LIMIT 1
  ) t ON true`;

/** The event's `data` as the records have it. */
function recordedData(type: string, batchId: string, row: RecordRow): Record<string, unknown> {
  const changedAt = row.changed_at!.toISOString();
  switch (type) {
    case EventType.created:
      return {
        batch_id: batchId,
        batch_number: row.batch_number,
        product_code: row.product_code,
        product_name: row.product_name,
        planned_quantity: row.planned_quantity,
        unit: row.unit,
        status: "PLANNED",
        stage: "DISPENSING",
        created_by: row.changed_by,
        created_at: row.created_at.toISOString(),
      };
    case EventType.completed:
      return {
        batch_id: batchId,
        batch_number: row.batch_number,
        product_code: row.product_code,
        planned_quantity: row.planned_quantity,
        actual_quantity: row.actual_quantity,
        unit: row.unit,
        yield: yieldOf(row.actual_quantity, row.planned_quantity),
        completed_by: row.changed_by,
        completed_at: changedAt,
      };
    default:
      return {
        batch_id: batchId,
        batch_number: row.batch_number,
        old_status: row.from_status,
        new_status: row.to_status,
        reason: row.reason,
        changed_by: row.changed_by,
        changed_at: changedAt,
      };
  }
}

/**
 * The event as the records confirm it, or {@link UnhandleableEventError} saying what does not
 * hold. One of our own events (its id is in the outbox) is delivered as stored, if its type and
 * data are what we published. Any other (a legacy publisher's) must name a known batch, a status
 * change its audit trail holds (from `old_status` when given) and, when it names one, the
 * actor recorded for it; it is delivered with the recorded values (statuses, reason, actor,
 * time), so that a claim can add nothing the records do not say.
 */
export async function verifyEvent(prisma: PrismaClient, event: BatchEvent): Promise<BatchEvent> {
  const claims = claimsOf(event);
  const [row] = await readRecord(prisma, isUuid(event.id) ? event.id : null, claims);
  if (row?.stored) {
    if (row.stored_type === event.type && isDeepStrictEqual(row.stored.data, event.data)) return row.stored;
    throw refuse("contradicts_event_log", `event ${event.id} is in the event log with other content`);
  }
  if (!row?.id) throw refuse("unknown_batch", `no batch ${claims.batchId}`);
  if (claims.batchNumber !== undefined && claims.batchNumber !== row.batch_number) {
    throw refuse("contradicts_record", `batch ${claims.batchId} is ${row.batch_number}, not ${claims.batchNumber}`);
  }
  if (!row.to_status) {
    const from = claims.from === undefined ? "" : `${claims.from ?? "creation"} -> `;
    throw refuse("status_not_recorded", `batch ${row.batch_number} has no recorded change ${from}${claims.to}`);
  }
  if (claims.actor !== undefined && claims.actor !== row.changed_by) {
    throw refuse("actor_not_recorded", `batch ${row.batch_number}: ${claims.to} was recorded for another user than ${claims.actor}`);
  }
  return { ...event, occurredAt: row.changed_at!.toISOString(), data: recordedData(event.type, claims.batchId, row) as BatchEvent["data"] };
}
