import type { Prisma } from "../../../../generated/prisma/client.js";
import { createEnvelope, type EventEnvelope } from "#lib/events/envelope.js";

/** The events the qa subgraph publishes to `QA_EVENTS_EXCHANGE`, by routing key (see EVENTS.md). */
export const QA_EVENT_TYPES = {
  resultRecorded: "qa.result.recorded",
  deviationOpened: "qa.deviation.opened",
  deviationClosed: "qa.deviation.closed",
  batchReleased: "qa.batch.released",
  batchRejected: "qa.batch.rejected",
} as const;

export type QaEventType = (typeof QA_EVENT_TYPES)[keyof typeof QA_EVENT_TYPES];

/** What caused an event: the request's id and the caller. */
export interface QaEventCause {
  requestId: string;
}

/** A new envelope from the qa subgraph; `data` in snake_case like every event's (DESIGN, "Events"). */
export const qaEnvelope = <TData>(type: QaEventType, data: TData, cause: QaEventCause, occurredAt?: Date): EventEnvelope<TData> =>
  createEnvelope(type, data, { source: "qa", correlationId: cause.requestId, occurredAt });

/**
 * Writes events to the QA outbox in the caller's transaction: they exist exactly when the
 * change that caused them committed. The relay publishes them in this order.
 */
export async function writeQaEvents(tx: Prisma.TransactionClient, batchId: string, envelopes: EventEnvelope<unknown>[]): Promise<void> {
  await tx.qaOutboxEvent.createMany({
    data: envelopes.map((envelope) => ({ id: envelope.id, batchId, type: envelope.type, envelope: envelope as unknown as Prisma.InputJsonValue })),
  });
}
