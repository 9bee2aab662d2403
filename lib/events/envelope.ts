import { randomUUID } from "node:crypto";
import { currentTraceparent } from "../telemetry/messageSpans.js";

/**
 * The envelope every event travels in on the broker (DESIGN, "Events"). `data` is in
 * snake_case, as the legacy publishers write it; the rest is camelCase.
 */
export interface EventEnvelope<TData = unknown> {
  /** Event id (a UUID), also the AMQP `messageId`: consumers deduplicate on it. */
  id: string;
  /** Event type, also the routing key, for example `batch.status.changed`. */
  type: string;
  /** When the change happened, ISO 8601 in UTC. */
  occurredAt: string;
  /** The publishing service, for example `production`. */
  source: string;
  /** Request id of the call that caused the event, to follow it through the logs; null when none. */
  correlationId: string | null;
  data: TData;
  /**
   * W3C trace context of the change that caused the event, when it was traced (tracing on):
   * the relay's publish, the consumers and the deliveries join that trace. Absent otherwise.
   */
  traceparent?: string;
}

export interface EnvelopeOptions {
  source: string;
  correlationId: string | null;
  /** Default: now. */
  occurredAt?: Date;
  /** Default: a new UUID. */
  id?: string;
}

/** Wraps `data` in a new envelope, with the trace of the current request when it is traced. */
export function createEnvelope<TData>(type: string, data: TData, options: EnvelopeOptions): EventEnvelope<TData> {
  const traceparent = currentTraceparent();
  return {
    id: options.id ?? randomUUID(),
    type,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    source: options.source,
    correlationId: options.correlationId,
    data,
    ...(traceparent ? { traceparent } : {}),
  };
}
