import { randomUUID } from "node:crypto";
import type { ConsumeMessage } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCounter } from "../../../test/support/graphql.js";
import { applyQaDecisionEvent } from "../../../test/support/qaDecisions.js";
import { startTestConsumer, type TestConsumer } from "./eventConsumer.js";
import { startJwksServer, type JwksServer } from "./jwksServer.js";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "./operations.js";
import { createOwnDatabase } from "./ownDatabase.js";
import { startProductionServer, uniqueBatchNumber, type TestProductionServer } from "./productionServer.js";

let database: Awaited<ReturnType<typeof createOwnDatabase>>;
let auth: JwksServer;
let consumer: TestConsumer;
const servers: TestProductionServer[] = [];

const startInstance = async () => {
  const server = await startProductionServer(auth, { databaseUrl: database.url, relay: { exchange: consumer.exchange, pollIntervalMs: 200 } });
  servers.push(server);
  return server;
};

beforeAll(async () => {
  [database, auth, consumer] = await Promise.all([createOwnDatabase(), startJwksServer(), startTestConsumer()]);
  await startInstance();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await consumer?.close();
  await auth?.stop();
  await database?.drop();
});

const body = (message: ConsumeMessage) => JSON.parse(message.content.toString("utf8"));
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** What every message carries besides its body, derived from the envelope (see EVENTS.md). */
function expectDelivery(message: ConsumeMessage, requestId: string) {
  const envelope = body(message);
  expect(message.fields).toMatchObject({ exchange: consumer.exchange, routingKey: envelope.type });
  expect(message.properties).toMatchObject({
    contentType: "application/json",
    deliveryMode: 2,
    messageId: envelope.id,
    type: envelope.type,
    appId: "production",
    timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
    headers: { correlationId: requestId },
  });
  expect(envelope).toEqual({
    id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    type: envelope.type,
    occurredAt: expect.stringMatching(ISO),
    source: "production",
    correlationId: requestId,
    data: expect.any(Object),
  });
  return envelope;
}

describe("events on the exchange", () => {
  it("reach a consumer in order, each exactly as documented", async () => {
    const [server] = servers as [TestProductionServer];
    const production = server.signIn("PRODUCTION");
    const qa = server.signIn("QA");
    const requestIds = Array.from({ length: 5 }, () => randomUUID());
    const call = (i: number, query: string, variables: Record<string, unknown>, token: string) =>
      server.call(query, variables, token, { "x-request-id": requestIds[i]! }).then((r) => {
        expect(r.errors).toBeUndefined();
        return r.data!;
      });
    const number = uniqueBatchNumber();
    const start = consumer.messages.length;
    const { createBatch: batch } = await call(0, CREATE_BATCH, { input: batchInput(number, { plannedQuantity: 1250.5 }) }, production.token);
    await call(1, CHANGE_STATUS, { id: batch.id, status: "IN_PROGRESS" }, production.token);
    await call(2, CHANGE_STATUS, { id: batch.id, status: "QA_HOLD" }, production.token);
    // QA's release: a decision signed in the QA service, applied with its correlation id.
    const { event: decision } = await applyQaDecisionEvent(server.runtime.prisma, {
      batchId: batch.id,
      decision: "RELEASED",
      signedBy: { id: qa.userId },
      correlationId: requestIds[3],
    });
    await call(4, CHANGE_STATUS, { id: batch.id, status: "COMPLETED", actualQuantity: 1200.25 }, production.token);

    const messages = (await consumer.waitFor(start + 6)).slice(start);
    const [created, ...rest] = messages.map((m, i) => expectDelivery(m, requestIds[Math.min(i, 4)]!));
    expect(created.type).toBe("batch.created");
    expect(created.data).toEqual({
      batch_id: batch.id,
      batch_number: number,
      product_code: "PARA-500",
      product_name: "Paracetamol 500 mg tablets",
      planned_quantity: 1250.5,
      unit: "kg",
      status: "PLANNED",
      stage: "DISPENSING",
      created_by: production.userId,
      created_at: batch.createdAt,
    });
    expect(created.occurredAt).toBe(batch.createdAt);

    const steps = [
      ["PLANNED", "IN_PROGRESS", null, production.userId],
      ["IN_PROGRESS", "QA_HOLD", null, production.userId],
      ["QA_HOLD", "RELEASED", `QA decision ${decision.data.decision_id}: approved for release`, qa.userId],
      ["RELEASED", "COMPLETED", null, production.userId],
    ] as const;
    steps.forEach(([from, to, reason, by], i) => {
      const event = rest[i];
      expect(event.type).toBe("batch.status.changed");
      expect(event.data).toEqual({
        batch_id: batch.id,
        batch_number: number,
        old_status: from,
        new_status: to,
        reason,
        changed_by: by,
        changed_at: event.occurredAt,
        version: i + 2,
      });
    });
    const completed = rest[4];
    expect(completed.type).toBe("batch.completed");
    expect(completed.data).toEqual({
      batch_id: batch.id,
      batch_number: number,
      product_code: "PARA-500",
      planned_quantity: 1250.5,
      actual_quantity: 1200.25,
      unit: "kg",
      yield: 1200.25 / 1250.5,
      completed_by: production.userId,
      completed_at: rest[3].occurredAt,
    });
    // The same request caused both events of the completion.
    expect(completed.correlationId).toBe(rest[3].correlationId);

    // Marked as published only once confirmed; kept as the event log.
    const outbox = async () => {
      const rows = await server.runtime.prisma.outboxEvent.findMany({ where: { batchId: batch.id }, orderBy: { sequence: "asc" } });
      return rows.map((r) => [r.id, r.type, r.publishedAt !== null]);
    };
    await expect.poll(outbox).toEqual(messages.map((m) => [m.properties.messageId, m.properties.type, true]));
    // By whichever instance relays: another test may have started more.
    const published = await Promise.all(servers.map((s) => readCounter(s.url, "outbox_events_published_total")));
    expect(published.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(6);
  });

  it("is relayed by one instance at a time, each event once, and another takes over when it stops", async () => {
    await Promise.all([startInstance(), startInstance()]);
    const active = async () => {
      const flags = await Promise.all(servers.map((s) => readCounter(s.url, "outbox_relay_active")));
      return servers.filter((_, i) => flags[i] === 1);
    };
    await expect.poll(active).toHaveLength(1);

    const createMany = async (server: TestProductionServer, count: number) => {
      const token = server.signIn("PRODUCTION").token;
      const results = await Promise.all(Array.from({ length: count }, () => server.call(CREATE_BATCH, { input: batchInput(uniqueBatchNumber("R")) }, token)));
      return results.map((r) => r.data!.createBatch.id as string);
    };
    // Writes through every instance, relayed by the active one.
    const start = consumer.messages.length;
    const ids = (await Promise.all(servers.map((s) => createMany(s, 10)))).flat();
    await consumer.waitFor(start + ids.length);

    const [leader] = await active();
    await leader!.stop();
    servers.splice(servers.indexOf(leader!), 1);
    const more = await createMany(servers[0]!, 10);
    await consumer.waitFor(start + ids.length + more.length);
    await expect.poll(active).toHaveLength(1);

    // One more event, last: a duplicate of any before would have been published before it.
    const [last] = await createMany(servers[0]!, 1);
    await expect.poll(() => consumer.messages.map((m) => body(m).data.batch_id)).toContain(last);
    expect(body(consumer.messages.at(-1)!).data.batch_id).toBe(last);
    const received = consumer.messages.slice(start, -1).map((m) => body(m).data.batch_id);
    expect(received.sort()).toEqual([...ids, ...more].sort());
  });
});
