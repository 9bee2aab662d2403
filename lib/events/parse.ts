import { createHash } from "node:crypto";
import { UnhandleableEventError } from "./deadLetter.js";
import type { EventEnvelope } from "./envelope.js";
import { jsonDepthExceeds } from "./jsonDepth.js";

export { UnhandleableEventError };

/** What the parser needs of an AMQP message (amqplib's `Message` has it). */
export interface RawEvent {
  content: Buffer;
  fields: { routingKey: string };
  properties: { messageId?: unknown; timestamp?: unknown; appId?: unknown };
}

/** What a consumer accepts of a message before it looks at its meaning. */
export interface EventLimits {
  /** Largest body, in bytes. Default 65,536 (`EVENTS_MAX_BYTES`). */
  maxBytes: number;
  /** Deepest nesting of objects and arrays in the body. Default 32 (`EVENTS_MAX_DEPTH`). */
  maxDepth: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = { maxBytes: 65_536, maxDepth: 32 };

/** Longest id, type, source and correlation id an envelope may carry, in characters. */
const MAX_NAME = 200;

/** A W3C `traceparent` (version 00's shape); anything else is left out of the envelope. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A stable id for a message that carries none: the same bytes on the same routing key give the
 * same id, so a redelivered legacy message is still recognised as a duplicate. UUID-shaped.
 */
export function derivedEventId(routingKey: string, content: Buffer): string {
  const hex = createHash("sha256").update(routingKey).update("\n").update(content).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A short string, or `invalid` naming the field. */
function name(field: string, value: string): string {
  if (value.length > MAX_NAME) throw new UnhandleableEventError("invalid", `${field} is longer than ${MAX_NAME} characters`);
  return value;
}

/** An ISO time from a string or AMQP seconds, or `invalid`: a time out of range must not throw later. */
function time(field: string, value: number | string): string {
  const at = new Date(typeof value === "number" ? value * 1000 : value);
  if (Number.isNaN(at.getTime())) throw new UnhandleableEventError("invalid", `${field} is not a time`);
  return at.toISOString();
}

/**
 * Reads an event off the broker: our envelope (`{ id, type, occurredAt, source, correlationId,
 * data, traceparent? }`, a malformed `traceparent` left out), or the bare legacy payload of the
 * Python publishers, wrapped in an envelope whose type is the routing key and whose id is the
 * AMQP `messageId` (else derived from the content).
 * Size and nesting are checked on the bytes, before parsing. Throws
 * {@link UnhandleableEventError} for anything it cannot accept, with its reason.
 */
export function parseEvent(message: RawEvent, { maxBytes, maxDepth }: EventLimits = DEFAULT_EVENT_LIMITS): EventEnvelope<Record<string, unknown>> {
  const { content } = message;
  if (content.length > maxBytes) throw new UnhandleableEventError("too_large", `the body has ${content.length} bytes, more than ${maxBytes}`);
  if (jsonDepthExceeds(content, maxDepth)) throw new UnhandleableEventError("too_deep", `the body nests deeper than ${maxDepth} levels`);
  let body: unknown;
  try {
    body = JSON.parse(content.toString("utf8"));
  } catch {
    throw new UnhandleableEventError("not_json", "the body is not JSON");
  }
  if (!isObject(body)) throw new UnhandleableEventError("not_an_object", "the body is not a JSON object");
  if (typeof body.id === "string" && typeof body.type === "string" && isObject(body.data)) {
    return {
      id: name("id", body.id),
      type: name("type", body.type),
      occurredAt: typeof body.occurredAt === "string" ? time("occurredAt", body.occurredAt) : new Date().toISOString(),
      source: typeof body.source === "string" ? name("source", body.source) : "unknown",
      correlationId: typeof body.correlationId === "string" ? name("correlationId", body.correlationId) : null,
      data: body.data,
      ...(typeof body.traceparent === "string" && TRACEPARENT.test(body.traceparent) ? { traceparent: body.traceparent } : {}),
    };
  }
  const { messageId, timestamp, appId } = message.properties;
  const { routingKey } = message.fields;
  return {
    id: typeof messageId === "string" && messageId !== "" ? name("messageId", messageId) : derivedEventId(routingKey, content),
    type: name("routing key", routingKey),
    occurredAt: typeof timestamp === "number" ? time("timestamp", timestamp) : new Date().toISOString(),
    source: typeof appId === "string" ? name("appId", appId) : "legacy",
    correlationId: null,
    data: body,
  };
}
