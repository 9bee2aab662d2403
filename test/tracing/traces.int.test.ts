import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "../../subgraphs/production/test/operations.js";
import { graphql } from "../support/graphql.js";
import { createFloorAccounts, startInProcessStack, type FloorAccounts, type InProcessStack } from "../support/inProcessStack.js";
import { rest } from "../support/rest.js";
import { subscribe, untilDelivering } from "../support/subscriptions.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlpReceiver.js";
import { until } from "../support/until.js";

const DASHBOARD = /* GraphQL */ `
  { batches(first: 5) { edges { node { id batchNumber status createdBy { name email } } } } }
`;

const STATUS_CHANGES = /* GraphQL */ `
  subscription { batchStatusChanged { eventId newStatus batch { id } } }
`;

/** Span kinds as OTLP numbers them. */
const [SERVER, CLIENT, PRODUCER, CONSUMER] = [2, 3, 4, 5];

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
    await createdBatch();
  });

  /** A new batch, made through the gateway. */
  const createdBatch = async (): Promise<{ id: string }> => {
    const created = await graphql(stack.gateway.url, CREATE_BATCH, { input: batchInput(`TR-${randomBytes(4).toString("hex")}`) }, floor.tokens.production);
    expect(created.errors).toBeUndefined();
    return created.data!.createBatch;
  };

  /** A new batch moved to IN_PROGRESS: one status change event. */
  const startedBatch = async () => {
    const changed = await graphql(stack.gateway.url, CHANGE_STATUS, { id: (await createdBatch()).id, status: "IN_PROGRESS" }, floor.tokens.production);
    expect(changed.errors).toBeUndefined();
  };

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
    const gateway = spans.find((span) => span.kind === SERVER && span.attributes["supergraph.service"] === "gateway")!;
    expect(gateway).toMatchObject({ name: "POST /graphql", parentSpanId: client.spanId, attributes: { "http.response.status_code": 200 } });
    expect(gateway.attributes["request.id"]).toBe(answer.headers.get("x-request-id"));
    for (const service of ["production", "user"]) {
      const server = spans.find((span) => span.kind === SERVER && span.attributes["supergraph.service"] === service)!;
      expect(descends(server, gateway.spanId, spans), `${service}'s span under the gateway's request`).toBe(true);
    }
  });

  it("follows changeBatchStatus in one trace: the request, its SQL, the relay's publish, the consumer, the Redis publish and the delivery to a graphql-ws subscriber", async () => {
    const subscriber = subscribe(stack.gateway.url, { authorization: `Bearer ${floor.tokens.viewer}` }, STATUS_CHANGES);
    try {
      // Live at the gateway once an untraced change reaches it (graphql-ws acknowledges no subscription).
      await untilDelivering(subscriber, () => startedBatch());
      const batchId = (await createdBatch()).id;
      const client = newTraceparent();
      const changed = await graphql(stack.gateway.url, CHANGE_STATUS, { id: batchId, status: "IN_PROGRESS" }, floor.tokens.production, {
        traceparent: `00-${client.traceId}-${client.spanId}-01`,
      });
      expect(changed.errors).toBeUndefined();
      await until("the change delivered to the subscriber", async () =>
        subscriber.results.some((result) => result.data?.batchStatusChanged.batch.id === batchId) ? true : undefined,
      );
      const delivered = subscriber.results.find((result) => result.data?.batchStatusChanged.batch.id === batchId)!;
      expect(delivered, "no trace context reaches the subscriber").not.toHaveProperty("extensions");

      const spans = await until("the whole trace", async () => {
        const found = await traceOf(client.traceId, ["gateway", "production"]);
        return found.some((span) => span.name === "deliver subscription event") ? found : undefined;
      });
      const find = (description: string, match: (span: ReceivedSpan) => boolean) => {
        const span = spans.find(match);
        expect(span, `${description} in the trace`).toBeDefined();
        return span!;
      };
      const gateway = find("the gateway's request", (span) => span.kind === SERVER && span.attributes["supergraph.service"] === "gateway");
      const production = find("production's request", (span) => span.kind === SERVER && span.attributes["supergraph.service"] === "production");
      // One statement changes the batch and writes its audit row and its outbox event.
      const write = find("the status change's SQL", (span) => {
        const sql = String(span.attributes["db.query.text"] ?? "");
        return span.name === "prisma:client:db_query" && /UPDATE production\.batches/.test(sql) && /INSERT INTO production\.outbox_events/.test(sql);
      });
      const relay = find("the relay's publish", (span) => span.name === "publish batch.status.changed" && span.kind === PRODUCER);
      const consumer = find("the consumer", (span) => span.name === "process batch.status.changed" && span.kind === CONSUMER);
      const redisPublish = find("the Redis publish", (span) => span.kind === PRODUCER && span.attributes["messaging.system"] === "redis");
      const redisCommand = find(
        "Redis's PUBLISH command",
        (span) => span.name === "publish" && span.kind === CLIENT && span.parentSpanId === redisPublish.spanId,
      );
      const subgraphDelivery = find("production's delivery", (span) => span.name === "deliver batch.status.changed");
      const gatewayDelivery = find("the gateway's delivery", (span) => span.name === "deliver subscription event");

      expect(gateway.parentSpanId).toBe(client.spanId);
      expect(descends(production, gateway.spanId, spans), "production's request under the gateway's").toBe(true);
      expect(descends(write, production.spanId, spans), "the SQL under production's request").toBe(true);
      expect(descends(relay, production.spanId, spans), "the publish under the mutation's request").toBe(true);
      expect(consumer.parentSpanId).toBe(relay.spanId);
      expect(redisPublish.parentSpanId).toBe(consumer.spanId);
      expect(redisCommand.attributes["db.system"]).toBe("redis");
      expect(subgraphDelivery.parentSpanId).toBe(redisPublish.spanId);
      expect(gatewayDelivery).toMatchObject({
        parentSpanId: subgraphDelivery.spanId,
        attributes: { "graphql.subscription.subscribers": 1 },
      });
      expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([client.traceId]));
    } finally {
      await subscriber.close();
    }
  });

  it("traces a legacy REST call as a request of the same kind: the gateway's /api span and production's under it", async () => {
    const batchId = (await createdBatch()).id;
    const client = newTraceparent();
    const response = await rest(stack.gateway.url, "GET", `/api/batches/${batchId}`, {
      token: floor.tokens.viewer,
      headers: { traceparent: `00-${client.traceId}-${client.spanId}-01` },
    });
    expect(response.status).toBe(200);
    const spans = await traceOf(client.traceId, ["gateway", "production"]);
    const gateway = spans.find((span) => span.kind === SERVER && span.attributes["supergraph.service"] === "gateway")!;
    expect(gateway).toMatchObject({ name: `GET /api/batches/${batchId}`, parentSpanId: client.spanId });
    const production = spans.find((span) => span.kind === SERVER && span.attributes["supergraph.service"] === "production")!;
    expect(descends(production, gateway.spanId, spans)).toBe(true);
    expect(
      spans.some((span) => span.name === "prisma:client:db_query" && descends(span, production.spanId, spans)),
      "production's SQL",
    ).toBe(true);
  });

  it("ignores a malformed traceparent and starts a trace of its own", async () => {
    const before = new Set(receiver.spans.map((span) => span.traceId));
    const answer = await graphql(stack.gateway.url, "{ me { id } }", {}, floor.tokens.viewer, { traceparent: "00-not-a-trace-01" });
    expect(answer.errors).toBeUndefined();
    const requestId = answer.headers.get("x-request-id");
    const gateway = await until("the gateway's span of the request", async () => {
      await stack.auth.runtime.tracing.flush();
      return receiver.spans.find(
        (span) => span.kind === SERVER && span.attributes["request.id"] === requestId && span.attributes["supergraph.service"] === "gateway",
      );
    });
    expect(gateway.parentSpanId).toBeUndefined();
    expect(gateway.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(before.has(gateway.traceId)).toBe(false);
  });
});
