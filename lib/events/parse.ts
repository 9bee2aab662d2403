import { createHash } from "node:crypto";
import type { EventEnvelope } from "./envelope.js";

/** A message that can never be handled, whatever the retries: it goes to the dead-letter queue. */
export class UnhandleableEventError extends Error {
  override name = "UnhandleableEventError";
}

/** What the parser needs of an AMQP message (amqplib's `Message` has it). */
export interface RawEvent {
  content: Buffer;
  fields: { routingKey: string };
  properties: { messageId?: unknown; timestamp?: unknown; appId?: unknown };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A stable id for a message that carries none: the same bytes on the same routing key give the
 * same id, so a redelivered legacy message is still recognised as a duplicate. UUID-shaped.
 */
export function derivedEventId(routingKey: string, content: Buffer): string {
  const hex = createHash("sha256").update(routingKey).update("\n").update(content).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Reads an event off the broker: our envelope (`{ id, type, occurredAt, source, correlationId,
 * data }`), or the bare legacy payload of the Python publishers, wrapped in an envelope whose
 * type is the routing key and whose id is the AMQP `messageId` (else derived from the content).
 * Throws {@link UnhandleableEventError} for anything else.
 */
export function parseEvent(message: RawEvent): EventEnvelope<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(message.content.toString("utf8"));
  } catch {
    throw new UnhandleableEventError("the body is not JSON");
  }
  if (!isObject(body)) throw new UnhandleableEventError("the body is not a JSON object");
  if (typeof body.id === "string" && typeof body.type === "string" && isObject(body.data)) {
    return {
      id: body.id,
      type: body.type,
      occurredAt: typeof body.occurredAt === "string" ? body.occurredAt : new Date().toISOString(),
      source: typeof body.source === "string" ? body.source : "unknown",
      correlationId: typeof body.correlationId === "string" ? body.correlationId : null,
      data: body.data,
    };
  }
  const { messageId, timestamp, appId } = message.properties;
  const { routingKey } = message.fields;
  return {
    id: typeof messageId === "string" && messageId !== "" ? messageId : derivedEventId(routingKey, message.content),
    type: routingKey,
    occurredAt: new Date(typeof timestamp === "number" ? timestamp * 1000 : Date.now()).toISOString(),
    source: typeof appId === "string" ? appId : "legacy",
    correlationId: null,
    data: body,
  };
}
