/**
 * The events of the production domain and the exact shape of their `data` (snake_case, as the
 * legacy publishers write it). `EVENTS.md` documents them for other teams.
 */
import type { Batch, BatchStatusChange } from "../../../../generated/prisma/client.js";
import type { BatchStage, BatchStatus } from "../../../../generated/prisma/enums.js";
import { createEnvelope, type EventEnvelope } from "#lib/events/envelope.js";
import { yieldOf } from "./yield.js";

/** `source` of every envelope this subgraph publishes. */
export const EVENT_SOURCE = "production";

/** Event types, also the routing keys on the events exchange. */
export const EventType = {
  created: "batch.created",
  statusChanged: "batch.status.changed",
  completed: "batch.completed",
} as const;

/** `batch.created`: a batch was planned. */
export interface BatchCreatedData {
  batch_id: string;
  batch_number: string;
  product_code: string;
  product_name: string;
  planned_quantity: number;
  unit: string;
  status: BatchStatus;
  stage: BatchStage;
  created_by: string;
  created_at: string;
}

/** `batch.status.changed`: a batch moved from one status to another. */
export interface BatchStatusChangedData {
  batch_id: string;
  batch_number: string;
  old_status: BatchStatus;
  new_status: BatchStatus;
  reason: string | null;
  changed_by: string;
  changed_at: string;
  /** The batch's version after the change. */
  version: number;
}

/** `batch.completed`: follows the `batch.status.changed` to COMPLETED, with the figures. */
export interface BatchCompletedData {
  batch_id: string;
  batch_number: string;
  product_code: string;
  planned_quantity: number;
  actual_quantity: number;
  unit: string;
  /** actual_quantity / planned_quantity; null for a batch planned at 0 (rows older than the quantity checks). */
  yield: number | null;
  completed_by: string;
  completed_at: string;
}

/** Who caused an event, for the envelope and the data. */
export interface EventCause {
  userId: string;
  /** The request id, the envelope's `correlationId`. */
  requestId: string;
}

const envelope = <TData>(type: string, data: TData, cause: EventCause, at: Date) =>
  createEnvelope(type, data, { source: EVENT_SOURCE, correlationId: cause.requestId, occurredAt: at });

/** The `batch.created` event of a new batch. */
export function batchCreated(batch: Batch, cause: EventCause): EventEnvelope<BatchCreatedData> {
  return envelope(
    EventType.created,
    {
      batch_id: batch.id,
      batch_number: batch.batchNumber,
      product_code: batch.productCode,
      product_name: batch.productName,
      planned_quantity: batch.plannedQuantity.toNumber(),
      unit: batch.unit,
      status: batch.status,
      stage: batch.stage,
      created_by: batch.createdById,
      created_at: batch.createdAt.toISOString(),
    },
    cause,
    batch.createdAt,
  );
}

/** The events of a status change: `batch.status.changed`, then `batch.completed` on completion. */
export function statusChanged(batch: Batch, change: BatchStatusChange, cause: EventCause): EventEnvelope[] {
  const changed = envelope<BatchStatusChangedData>(
    EventType.statusChanged,
    {
      batch_id: batch.id,
      batch_number: batch.batchNumber,
      old_status: change.fromStatus!,
      new_status: change.toStatus,
      reason: change.reason,
      changed_by: change.changedById,
      changed_at: change.changedAt.toISOString(),
      version: batch.version,
    },
    cause,
    change.changedAt,
  );
  if (change.toStatus !== "COMPLETED" || batch.actualQuantity === null) return [changed];
  const planned = batch.plannedQuantity.toNumber();
  const actual = batch.actualQuantity.toNumber();
  const completed = envelope<BatchCompletedData>(
    EventType.completed,
    {
      batch_id: batch.id,
      batch_number: batch.batchNumber,
      product_code: batch.productCode,
      planned_quantity: planned,
      actual_quantity: actual,
      unit: batch.unit,
      yield: yieldOf(actual, planned),
      completed_by: change.changedById,
      completed_at: change.changedAt.toISOString(),
    },
    cause,
    change.changedAt,
  );
  return [changed, completed];
}
