import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "../../subgraphs/production/test/operations.js";
import { graphql } from "../support/graphql.js";
import { createFloorAccounts, startInProcessStack, type FloorAccounts, type InProcessStack } from "../support/inProcessStack.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlpReceiver.js";
import { until } from "../support/until.js";

const DASHBOARD = /* GraphQL */ `
  { batches(first: 5) { edges { node { id batchNumber status createdBy { name email } } } } }
`;

/** A W3C `traceparent` of a new trace, sampled. */
const newTraceparent = () => ({ traceId: randomBytes(16).toString("hex"), spanId: randomBytes(8).toString("hex") });

describe("traces over OTLP", () => {
  let receiver: OtlpReceiver;
  let stack: InProcessStack;
  let floor: FloorAccounts;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    stack = await startInProcessStack({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    floor = await createFloorAccounts(stack);
    const created = await graphql(stack.gateway.url, CREATE_BATCH, { input: batchInput(`TR-${randomBytes(4).toString("hex")}`) }, floor.tokens.production);
    expect(created.errors).toBeUndefined();
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.stop();
  });

  /** The spans of trace `traceId`, once the services flushed them and the server spans of `services` arrived. */
  const traceOf = (traceId: string, services: string[]) =>
    until(`the spans of trace ${traceId}`, async () => {
      await stack.auth.runtime.tracing.flush();
      const spans = receiver.spans.filter((span) => span.traceId === traceId);
      const servers = new Set(spans.filter((span) => span.kind === 2).map((span) => span.attributes["supergraph.service"]));
      return services.every((service) => servers.has(service)) ? spans : undefined;
    });

  /** Whether `span` descends from the span `ancestorId` within `spans`. */
  const descends = (span: ReceivedSpan, ancestorId: string, spans: ReceivedSpan[]): boolean => {
    for (let parent = span.parentSpanId; parent; parent = spans.find((s) => s.spanId === parent)?.parentSpanId) {
      if (parent === ancestorId) return true;
    }
    return false;
  };

  it("continues the client's trace: the dashboard query's fetches to production and user are children of one gateway request", async () => {
    const client = newTraceparent();
    const answer = await graphql(stack.gateway.url, DASHBOARD, {}, floor.tokens.viewer, { traceparent: `00-${client.traceId}-${client.spanId}-01` });
    expect(answer.errors).toBeUndefined();

    const spans = await traceOf(client.traceId, ["gateway", "production", "user"]);
    const gateway = spans.find((span) => span.kind === 2 && span.attributes["supergraph.service"] === "gateway")!;
    expect(gateway).toMatchObject({ name: "POST /graphql", parentSpanId: client.spanId, attributes: { "http.response.status_code": 200 } });
    expect(gateway.attributes["request.id"]).toBe(answer.headers.get("x-request-id"));
    for (const service of ["production", "user"]) {
      const server = spans.find((span) => span.kind === 2 && span.attributes["supergraph.service"] === service)!;
      expect(descends(server, gateway.spanId, spans), `${service}'s span under the gateway's request`).toBe(true);
    }
  });

  it("follows a mutation into its event: the outbox relay's publish and the consumer join the request's trace", async () => {
    const created = await graphql(stack.gateway.url, CREATE_BATCH, { input: batchInput(`TR-${randomBytes(4).toString("hex")}`) }, floor.tokens.production);
    const client = newTraceparent();
    const changed = await graphql(stack.gateway.url, CHANGE_STATUS, { id: created.data!.createBatch.id, status: "IN_PROGRESS" }, floor.tokens.production, {
      traceparent: `00-${client.traceId}-${client.spanId}-01`,
    });
    expect(changed.errors).toBeUndefined();

    const spans = await until("the event's spans", async () => {
      const found = await traceOf(client.traceId, ["gateway", "production"]);
      const names = found.map((span) => span.name);
      return names.includes("publish batch.status.changed") && names.includes("process batch.status.changed") ? found : undefined;
    });
    const production = spans.find((span) => span.kind === 2 && span.attributes["supergraph.service"] === "production")!;
    const publish = spans.find((span) => span.name === "publish batch.status.changed")!;
    const consume = spans.find((span) => span.name === "process batch.status.changed")!;
    expect(publish.kind).toBe(4); // PRODUCER
    expect(consume.kind).toBe(5); // CONSUMER
    expect(descends(publish, production.spanId, spans), "the publish under the mutation's request").toBe(true);
    expect(consume.parentSpanId).toBe(publish.spanId);
  });

  it("ignores a malformed traceparent and starts a trace of its own", async () => {
    const before = new Set(receiver.spans.map((span) => span.traceId));
    const answer = await graphql(stack.gateway.url, "{ me { id } }", {}, floor.tokens.viewer, { traceparent: "00-not-a-trace-01" });
    expect(answer.errors).toBeUndefined();
    const requestId = answer.headers.get("x-request-id");
    const gateway = await until("the gateway's span of the request", async () => {
      await stack.auth.runtime.tracing.flush();
      return receiver.spans.find(
        (span) => span.kind === 2 && span.attributes["request.id"] === requestId && span.attributes["supergraph.service"] === "gateway",
      );
    });
    expect(gateway.parentSpanId).toBeUndefined();
    expect(gateway.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(before.has(gateway.traceId)).toBe(false);
  });
});
