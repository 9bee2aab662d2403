import type { EventEnvelope } from "#lib/events/envelope.js";

/**
 * An event as it travels through Redis to the subscription resolvers: the envelope, `data` in
 * snake_case (EVENTS.md). Legacy publishers may leave fields out, so every field is optional
 * but `batch_id`, which the consumer checked.
 */
export type BatchEvent = EventEnvelope<{ batch_id: string; [field: string]: unknown }>;

/** The parent of `BatchStatusChangedEvent` (codegen mapper): a `batch.status.changed` event. */
export type StatusChangedPayload = BatchEvent;
