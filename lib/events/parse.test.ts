import { describe, expect, it } from "vitest";
import { derivedEventId, parseEvent, UnhandleableEventError } from "./parse.js";

const message = (body: string, routingKey = "batch.status.changed", properties: Record<string, unknown> = {}) => ({
  content: Buffer.from(body),
  fields: { routingKey },
  properties,
});

describe("parseEvent", () => {
  it("reads our envelope as it is", () => {
    const envelope = { id: "e1", type: "batch.created", occurredAt: "2026-11-25T10:00:00.000Z", source: "production", correlationId: "r1", data: { batch_id: "b1" } };
    expect(parseEvent(message(JSON.stringify(envelope), "batch.created"))).toEqual(envelope);
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

  it.each([
    ["{ not json", "the body is not JSON"],
    ["[1, 2]", "the body is not a JSON object"],
    ["42", "the body is not a JSON object"],
  ])("refuses %s as unhandleable", (body, reason) => {
    expect(() => parseEvent(message(body))).toThrow(new UnhandleableEventError(reason));
  });
});
