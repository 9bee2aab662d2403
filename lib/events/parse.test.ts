import { describe, expect, it } from "vitest";
import { derivedEventId, parseEvent, UnhandleableEventError } from "./parse.js";

const message = (body: string, routingKey = "batch.status.changed", properties: Record<string, unknown> = {}) => ({
  content: Buffer.from(body),
  fields: { routingKey },
  properties,
});

describe("parseEvent", () => {
  it("reads our envelope as it is", () => {
    const envelope = {
      id: "e1",
      type: "batch.created",
      occurredAt: "2026-11-25T10:00:00.000Z",
      source: "production",
      correlationId: "r1",
      data: { batch_id: "b1" },
    };
    expect(parseEvent(message(JSON.stringify(envelope), "batch.created"))).toEqual(envelope);
  });

  it("keeps the envelope's trace context when it is a W3C traceparent, and leaves a malformed one out", () => {
    const envelope = { id: "e1", type: "batch.created", occurredAt: "2026-11-25T10:00:00.000Z", source: "production", correlationId: null, data: {} };
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    expect(parseEvent(message(JSON.stringify({ ...envelope, traceparent }), "batch.created")).traceparent).toBe(traceparent);
    for (const malformed of ["00-not-a-trace-01", `${traceparent} `, 42, { traceparent }]) {
      expect(parseEvent(message(JSON.stringify({ ...envelope, traceparent: malformed }), "batch.created"))).not.toHaveProperty("traceparent");
    }
  });

  it("wraps a bare legacy payload: routing key as type, messageId as id, timestamp as time", () => {
    const legacy = { batch_id: "b1", old_status: "PLANNED", new_status: "IN_PROGRESS" };
    expect(parseEvent(message(JSON.stringify(legacy), "batch.status.changed", { messageId: "m1", timestamp: 1_764_064_800, appId: "mes" }))).toEqual({
      id: "m1",
      type: "batch.status.changed",
      occurredAt: "2025-11-25T10:00:00.000Z",
      source: "mes",
      correlationId: null,
      data: legacy,
    });
  });

  it("derives a stable UUID-shaped id when a legacy message has no messageId", () => {
    const body = JSON.stringify({ batch_id: "b1", new_status: "QA_HOLD" });
    const first = parseEvent(message(body));
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseEvent(message(body)).id).toBe(first.id);
    expect(derivedEventId("batch.created", Buffer.from(body))).not.toBe(first.id);
  });

  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (err) {
      expect(err).toBeInstanceOf(UnhandleableEventError);
      return { reason: (err as UnhandleableEventError).reason, detail: (err as Error).message };
    }
    throw new Error("accepted");
  };

  it.each([
    ["{ not json", "not_json", "the body is not JSON"],
    ["[1, 2]", "not_an_object", "the body is not a JSON object"],
    ["42", "not_an_object", "the body is not a JSON object"],
  ])("refuses %s as unhandleable", (body, reason, detail) => {
    expect(refusal(() => parseEvent(message(body)))).toEqual({ reason, detail });
  });

  it("refuses a body over the size limit before parsing it", () => {
    const body = JSON.stringify({ batch_id: "b1", pad: "x".repeat(100) });
    expect(refusal(() => parseEvent(message(body), { maxBytes: 64, maxDepth: 32 }))).toEqual({
      reason: "too_large",
      detail: `the body has ${body.length} bytes, more than 64`,
    });
  });

  it("refuses a body nested deeper than the limit, however deep, before parsing it", () => {
    const deep = `{"batch_id":"b1","x":${"[".repeat(150_000)}${"]".repeat(150_000)}}`;
    expect(refusal(() => parseEvent(message(deep), { maxBytes: 1_000_000, maxDepth: 32 }))).toEqual({
      reason: "too_deep",
      detail: "the body nests deeper than 32 levels",
    });
    // Exactly at the limit is fine, and brackets inside strings do not count.
    const atLimit = `{"x":${"[".repeat(31)}{"a":"[[[[\\"}"}${"]".repeat(31)}}`;
    expect(parseEvent(message(atLimit), { maxBytes: 1_000_000, maxDepth: 33 }).data).toEqual(JSON.parse(atLimit));
    expect(refusal(() => parseEvent(message(atLimit), { maxBytes: 1_000_000, maxDepth: 32 }))).toEqual({
      reason: "too_deep",
      detail: "the body nests deeper than 32 levels",
    });
  });

  it.each([
    ["an id longer than 200 characters", { id: "i".repeat(201), type: "batch.created", data: {} }, {}, "id is longer than 200 characters"],
    ["an occurredAt that is not a time", { id: "e1", type: "batch.created", occurredAt: "soon", data: {} }, {}, "occurredAt is not a time"],
    ["an AMQP timestamp out of range", { batch_id: "b1" }, { timestamp: 1e300 }, "timestamp is not a time"],
  ])("refuses %s as invalid", (_what, body, properties, detail) => {
    expect(refusal(() => parseEvent(message(JSON.stringify(body), "batch.created", properties)))).toEqual({ reason: "invalid", detail });
  });
});
