import { randomBytes, randomUUID } from "node:crypto";
import amqp, { type ConfirmChannel, type ConsumeMessage } from "amqplib";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBackingServices } from "#lib/config.js";
import { assertEventsExchange } from "#lib/events/broker.js";
import { createPrismaClient } from "#lib/prisma.js";
import { createEventPubSub } from "#lib/pubsub/redis.js";
import { startSubscriptionConsumer } from "../../subgraphs/production/src/subscriptions/consumer.js";
import type { BatchEvent } from "../../subgraphs/production/src/subscriptions/payloads.js";
import { verifyEvent } from "../../subgraphs/production/src/subscriptions/verify.js";
import { Collector } from "../support/collector.js";
import { createFloorAccounts, startInProcessStack, type FloorAccounts, type InProcessStack, type TestAccount } from "../support/inProcessStack.js";
import { subscribe, type TestSubscription } from "../support/subscriptions.js";
import { startTcpProxy } from "../support/tcpProxy.js";

/**
 * The subscription consumer against the attacks of the security report: poison messages that
 * looped forever and stopped every live event, and forged events that reached subscribers as
 * facts. Every message is published with a real amqplib client, as another system would.
 */
let stack: InProcessStack;
let connection: amqp.ChannelModel;
let publisher: ConfirmChannel;
const deadLetters = new Collector<ConsumeMessage>("dead letters");
let qa: TestAccount;
let tokens: FloorAccounts["tokens"];

beforeAll(async () => {
  stack = await startInProcessStack({ env: { EVENTS_MAX_ATTEMPTS: "3", EVENTS_RETRY_DELAY_MS: "50" } });
  connection = await amqp.connect(readBackingServices().amqpUrl);
  publisher = await connection.createConfirmChannel();
  await declareQueues(publisher, stack.exchange, stack.queue);
  const reader = await connection.createChannel();
  await reader.consume(`${stack.queue}.dlq`, (message) => {
    if (!message) return;
    deadLetters.push(message);
    reader.ack(message);
  });
  ({ qa, tokens } = await createFloorAccounts(stack));
});

afterAll(async () => {
  await connection?.close();
  await stack?.stop();
});

/**
 * Declares a consumer's queues and binding as it does (the same arguments), so that a test can
 * publish and read dead letters before the consumer's own set-up has run.
 */
async function declareQueues(channel: amqp.Channel, exchange: string, queue: string) {
  await assertEventsExchange(channel, exchange);
  await channel.assertQueue(`${queue}.dlq`, { durable: true });
  await channel.assertQueue(queue, { durable: true, arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": `${queue}.dlq` } });
  await channel.bindQueue(queue, exchange, "batch.#");
}

/** Publishes to the stack's exchange and waits for the broker's confirm. */
async function publish(routingKey: string, body: string | Buffer, properties: amqp.Options.Publish = {}) {
  publisher.publish(stack.exchange, routingKey, Buffer.from(body), { persistent: true, contentType: "application/json", ...properties });
  await publisher.waitForConfirms();
}

/** The dead letter of a message, once it is in `<queue>.dlq`. */
async function deadLetterOf(messageId: string, timeoutMs = 10_000): Promise<ConsumeMessage> {
  let found: ConsumeMessage | undefined;
  await expect.poll(() => (found = deadLetters.items.find((m) => m.properties.messageId === messageId)), { timeout: timeoutMs }).toBeDefined();
  return found!;
}

/** `events_dead_lettered_total{reason}` on a service's /metrics (counted once the broker confirmed the dead letter: poll it). */
async function deadLettered(reason: string, baseUrl = stack.production.url): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("events_dead_lettered_total{") && l.includes(`reason="${reason}"`));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

const CREATE = /* GraphQL */ `mutation($input: CreateBatchInput!) { createBatch(input: $input) { id batchNumber } }`;
const CHANGE = /* GraphQL */ `
  mutation($id: ID!, $status: BatchStatus!, $reason: String) { changeBatchStatus(id: $id, status: $status, reason: $reason) { status } }
`;
const STATUS_CHANGED = /* GraphQL */ `
  subscription($batchId: ID, $after: String) {
    batchStatusChanged(batchId: $batchId, after: $after) { eventId oldStatus newStatus reason changedBy { name } batch { status } }
  }
`;

async function createBatch() {
  const input = { batchNumber: `EV-${randomBytes(5).toString("hex")}`, productCode: "P", productName: "P", plannedQuantity: 10, unit: "kg" };
  const result = await stack.call(CREATE, { input }, tokens.production);
  expect(result.errors).toBeUndefined();
  return result.data!.createBatch as { id: string; batchNumber: string };
}

async function change(id: string, status: string, token = tokens.production, reason?: string) {
  const result = await stack.call(CHANGE, { id, status, reason }, token);
  expect(result.errors).toBeUndefined();
}

/**
 * A subscription to one batch's status changes, proven live: it starts after the batch's
 * creation event, so the change to IN_PROGRESS made first is replayed to it, and the replay
 * only starts once the live stream is subscribed (no fixed wait).
 */
async function liveSubscription(batchId: string): Promise<TestSubscription> {
  await change(batchId, "IN_PROGRESS");
  const created = await stack.production.runtime.prisma.outboxEvent.findFirstOrThrow({ where: { batchId, type: "batch.created" } });
  const sub = subscribe(stack.gateway.url, { authorization: `Bearer ${tokens.viewer}` }, STATUS_CHANGED, { batchId, after: created.id });
  await sub.waitFor(1, 20_000);
  return sub;
}

describe("poison messages", () => {
  it("61 messages nested 150,000 levels deep are dead-lettered at once, and live events keep flowing", async () => {
    const batch = await createBatch();
    const before = { large: await deadLettered("too_large"), deep: await deadLettered("too_deep") };
    const nested = (levels: number) => `{"batch_id":"${batch.id}","new_status":"RELEASED","x":${"[".repeat(levels)}${"]".repeat(levels)}}`;
    // The report's messages (300 KB) are over the size limit; one nested 30,000 levels fits in 64 KiB.
    const poison = Array.from({ length: 61 }, () => ({ messageId: randomUUID(), body: nested(150_000), reason: "too_large" }));
    poison.push({ messageId: randomUUID(), body: nested(30_000), reason: "too_deep" });
    for (const { messageId, body } of poison) await publish("batch.status.changed", body, { messageId });

    const sub = await liveSubscription(batch.id);
    for (const { messageId, body, reason } of poison) {
      const letter = await deadLetterOf(messageId);
      // Refused on the first delivery: no attempt count, nothing went back to the queue.
      expect(letter.properties.headers).toEqual({
        "x-dead-letter-reason": reason,
        "x-dead-letter-detail": reason === "too_deep" ? "the body nests deeper than 32 levels" : `the body has ${body.length} bytes, more than 65536`,
        "x-original-routing-key": "batch.status.changed",
      });
      expect(letter.content.toString()).toBe(body);
    }
    await expect.poll(() => deadLettered("too_large")).toBe(before.large + 61);
    await expect.poll(() => deadLettered("too_deep")).toBe(before.deep + 1);

    await change(batch.id, "QA_HOLD");
    const results = await sub.waitFor(2);
    expect(results.map((r) => r.data!.batchStatusChanged.newStatus)).toEqual(["IN_PROGRESS", "QA_HOLD"]);
    await sub.close();
  });

  it("a message over 64 KiB is dead-lettered at once as too_large, with its body and properties", async () => {
    const messageId = randomUUID();
    const before = await deadLettered("too_large");
    const body = JSON.stringify({ batch_id: randomUUID(), new_status: "RELEASED", pad: "x".repeat(70_000) });
    await publish("batch.status.changed", body, { messageId, appId: "mes", type: "batch.status.changed" });
    const letter = await deadLetterOf(messageId);
    expect(letter.properties).toMatchObject({ messageId, appId: "mes", type: "batch.status.changed", deliveryMode: 2 });
    expect(letter.properties.headers).toEqual({
      "x-dead-letter-reason": "too_large",
      "x-dead-letter-detail": `the body has ${Buffer.byteLength(body)} bytes, more than 65536`,
      "x-original-routing-key": "batch.status.changed",
    });
    expect(letter.content.toString()).toBe(body);
    await expect.poll(() => deadLettered("too_large")).toBe(before + 1);
  });

  it("the dead-letter reasons are a fixed list: a publisher cannot add labels to events_dead_lettered_total", async () => {
    const text = await (await fetch(`${stack.production.url}/metrics`)).text();
    const labels = text
      .split("\n")
      .filter((l) => l.startsWith("events_dead_lettered_total{"))
      .map((l) => /reason="([^"]*)"/.exec(l)![1]);
    expect(labels.sort()).toEqual(
      [
        "actor_not_recorded",
        "contradicts_event_log",
        "contradicts_record",
        "invalid",
        "not_an_object",
        "not_json",
        "retries_exhausted",
        "status_not_recorded",
        "too_deep",
        "too_large",
        "unknown_batch",
        "unknown_type",
      ].sort(),
    );
  });
});

describe("transient failures", () => {
  /**
   * A second consumer on a queue and exchange of its own, whose Redis is behind a proxy the
   * test cuts; the database and the broker are the stack's.
   */
  async function consumerBehindProxy(beforeStart?: (exchange: string, queue: string) => Promise<void>) {
    const redis = new URL(readBackingServices().redisUrl);
    const proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    redis.hostname = "127.0.0.1";
    redis.port = String(proxy.port);
    const logs: Array<Record<string, any>> = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const events = createEventPubSub(redis.toString(), stack.env.REDIS_PREFIX!, logger);
    const exchange = `production.events.test-${randomBytes(4).toString("hex")}`;
    const queue = `production.subscriptions.test-${randomBytes(4).toString("hex")}`;
    const reader = await connection.createChannel();
    await declareQueues(reader, exchange, queue);
    await beforeStart?.(exchange, queue);
    const metrics = new Registry();
    const consumer = startSubscriptionConsumer({ ...stack.production.runtime, logger, metrics }, events, {
      exchange,
      queue,
      maxAttempts: 3,
      retryDelayMs: 100,
    });
    const dlq = new Collector<ConsumeMessage>("dead letters of the second consumer");
    await reader.consume(`${queue}.dlq`, (m) => m && (dlq.push(m), reader.ack(m)));
    return {
      proxy,
      logs,
      metrics,
      dlq,
      exchange,
      async close() {
        await consumer.stop();
        await events.close();
        await proxy.close();
        for (const name of [queue, `${queue}.dlq`]) await reader.deleteQueue(name);
        await reader.deleteExchange(exchange);
        await reader.close();
      },
    };
  }

  /** One of our own events, as it is in the outbox: it verifies, so only Redis can fail. */
  async function ownEvent() {
    const batch = await createBatch();
    const row = await stack.production.runtime.prisma.outboxEvent.findFirstOrThrow({ where: { batchId: batch.id } });
    return row.envelope as unknown as BatchEvent;
  }

  it("an event is retried with growing waits while Redis is down, and delivered once it is back", async () => {
    const world = await consumerBehindProxy();
    try {
      const event = await ownEvent();
      const received = new Collector<BatchEvent>("events on Redis");
      const listener = createEventPubSub(readBackingServices().redisUrl, stack.env.REDIS_PREFIX!, pino({ level: "silent" }));
      await listener.pubsub.subscribe(listener.channel(event.type), (payload: BatchEvent) => {
        if (payload.id === event.id) received.push(payload);
      });
      world.proxy.cut();
      publisher.publish(world.exchange, event.type, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.id });
      await publisher.waitForConfirms();
      const failures = () => world.logs.filter((l) => l.msg === "handling an event failed");
      await expect.poll(() => failures().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      world.proxy.restore();
      const [delivered] = await received.waitFor(1, 15_000);
      expect(delivered).toEqual(event);
      // The attempts were counted, with a wait that doubles: 100 ms, then 200 ms.
      const [first, second] = failures();
      expect(first).toMatchObject({ attempt: 1, maxAttempts: 3 });
      expect(second).toMatchObject({ attempt: 2, maxAttempts: 3 });
      expect(second!.time - first!.time).toBeGreaterThanOrEqual(100);
      expect(world.dlq.items).toEqual([]);
      await listener.close();
    } finally {
      await world.close();
    }
  });

  it("an event that fails on every attempt is dead-lettered as retries_exhausted after the bound, not redelivered forever", async () => {
    const world = await consumerBehindProxy();
    try {
      const event = await ownEvent();
      world.proxy.cut();
      publisher.publish(world.exchange, event.type, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.id });
      await publisher.waitForConfirms();
      const [letter] = await world.dlq.waitFor(1, 20_000);
      expect(letter!.properties.messageId).toBe(event.id);
      expect(letter!.properties.headers).toEqual({
        "x-dead-letter-reason": "retries_exhausted",
        "x-dead-letter-detail": expect.stringMatching(/^MaxRetriesPerRequestError: /),
        "x-attempts": 3,
        "x-original-routing-key": event.type,
      });
      expect(JSON.parse(letter!.content.toString())).toEqual(event);
      expect(world.logs.filter((l) => l.msg === "handling an event failed").map((l) => l.attempt)).toEqual([1, 2, 3]);
      // Counted once the broker confirmed the dead letter.
      await expect
        .poll(() => world.metrics.getSingleMetricAsString("events_dead_lettered_total"))
        .toContain('events_dead_lettered_total{reason="retries_exhausted"} 1');
      expect(await world.metrics.getSingleMetricAsString("events_retried_total")).toContain("events_retried_total 2");
    } finally {
      await world.close();
    }
  });

  it("a message its consumer died on comes back counted, and is dead-lettered once the attempts are used up", async () => {
    const event = await ownEvent();
    const world = await consumerBehindProxy(async (exchange, queue) => {
      // Tried twice already (the count this consumer writes), then taken by a consumer that
      // stops without settling it: the broker redelivers it, flagged as redelivered.
      publisher.publish(exchange, event.type, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.id, headers: { "x-attempts": 2 } });
      await publisher.waitForConfirms();
      const dying = await connection.createChannel();
      const taken = new Collector<ConsumeMessage>("messages taken by the dying consumer");
      await dying.consume(queue, (m) => m && taken.push(m));
      await taken.waitFor(1);
      await dying.close();
    });
    try {
      const [letter] = await world.dlq.waitFor(1);
      expect(letter!.properties.headers).toEqual({
        "x-dead-letter-reason": "retries_exhausted",
        "x-dead-letter-detail": "redelivered unacknowledged",
        "x-attempts": 3,
        "x-original-routing-key": event.type,
      });
      // Never handed to the handler: a message that kills its consumer is not tried again.
      expect(world.logs.filter((l) => l.msg === "handling an event failed")).toEqual([]);
    } finally {
      await world.close();
    }
  });
});

describe("forged events", () => {
  it("a legacy event claiming RELEASED by QA for a batch QA never released is dead-lettered and never reaches subscribers", async () => {
    const batch = await createBatch();
    const sub = await liveSubscription(batch.id);
    const messageId = randomUUID();
    const before = await deadLettered("status_not_recorded");
    const forged = { batch_id: batch.id, old_status: "QA_HOLD", new_status: "RELEASED", changed_by: qa.id, reason: "Released by qa@example.com" };
    await publish("batch.status.changed", JSON.stringify(forged), { messageId });
    const letter = await deadLetterOf(messageId);
    expect(letter.properties.headers).toEqual({
      "x-dead-letter-reason": "status_not_recorded",
      "x-dead-letter-detail": `batch ${batch.batchNumber} has no recorded change QA_HOLD -> RELEASED`,
      "x-original-routing-key": "batch.status.changed",
    });
    await expect.poll(() => deadLettered("status_not_recorded")).toBe(before + 1);
    await change(batch.id, "QA_HOLD");
    const results = await sub.waitFor(2);
    expect(results.map((r) => r.data!.batchStatusChanged.newStatus)).toEqual(["IN_PROGRESS", "QA_HOLD"]);
    await sub.close();
  });

  it.each([
    [
      "an unknown batch",
      () => ({ batch_id: randomUUID(), new_status: "RELEASED" }),
      "unknown_batch",
      (body: Record<string, string>) => `no batch ${body.batch_id}`,
    ],
    [
      "a change recorded for another user",
      (batch: { id: string }) => ({ batch_id: batch.id, old_status: "PLANNED", new_status: "IN_PROGRESS", changed_by: qa.id }),
      "actor_not_recorded",
      (_body: unknown, batch: { batchNumber: string }) => `batch ${batch.batchNumber}: IN_PROGRESS was recorded for another user than ${qa.id}`,
    ],
    [
      "another batch's number",
      (batch: { id: string }) => ({ batch_id: batch.id, batch_number: "B-OTHER", new_status: "IN_PROGRESS" }),
      "contradicts_record",
      (_body: unknown, batch: { id: string; batchNumber: string }) => `batch ${batch.id} is ${batch.batchNumber}, not B-OTHER`,
    ],
    ["no batch id", () => ({ new_status: "RELEASED" }), "invalid", () => "batch_id is missing"],
    ["a status that does not exist", (batch: { id: string }) => ({ batch_id: batch.id, new_status: "SHIPPED" }), "invalid", () => "new_status is not valid"],
  ])("a legacy event naming %s is dead-lettered with its reason", async (_what, build, reason, detail) => {
    const batch = await createBatch();
    await change(batch.id, "IN_PROGRESS");
    const body = build(batch) as Record<string, string>;
    const messageId = randomUUID();
    await publish("batch.status.changed", JSON.stringify(body), { messageId });
    const letter = await deadLetterOf(messageId);
    expect(letter.properties.headers).toEqual({
      "x-dead-letter-reason": reason,
      "x-dead-letter-detail": detail(body as never, batch as never),
      "x-original-routing-key": "batch.status.changed",
    });
  });

  it("an envelope reusing the id of one of our events with other content is dead-lettered as contradicts_event_log", async () => {
    const batch = await createBatch();
    const own = await stack.production.runtime.prisma.outboxEvent.findFirstOrThrow({ where: { batchId: batch.id } });
    const envelope = own.envelope as unknown as BatchEvent;
    const forged = { ...envelope, data: { ...envelope.data, created_by: qa.id } };
    await publish("batch.created", JSON.stringify(forged), { messageId: envelope.id });
    const letter = await deadLetterOf(envelope.id);
    expect(letter.properties.headers).toEqual({
      "x-dead-letter-reason": "contradicts_event_log",
      "x-dead-letter-detail": `event ${envelope.id} is in the event log with other content`,
      "x-original-routing-key": "batch.created",
    });
  });

  it("a legacy status change the audit trail holds is delivered, with the recorded reason and actor instead of the claimed ones", async () => {
    const batch = await createBatch();
    const sub = await liveSubscription(batch.id);
    await change(batch.id, "QA_HOLD", tokens.production, "Batch record complete");
    await sub.waitFor(2);
    const messageId = randomUUID();
    const legacy = { batch_id: batch.id, old_status: "IN_PROGRESS", new_status: "QA_HOLD", reason: "whatever the publisher says" };
    await publish("batch.status.changed", JSON.stringify(legacy), { messageId });
    const [, , replayed] = await sub.waitFor(3);
    expect(replayed).toEqual({
      data: {
        batchStatusChanged: {
          eventId: messageId,
          oldStatus: "IN_PROGRESS",
          newStatus: "QA_HOLD",
          reason: "Batch record complete",
          changedBy: { name: "Pat Production" },
          batch: { status: "QA_HOLD" },
        },
      },
    });
    await sub.close();
  });

  it("our own events are checked with one indexed statement each, legacy ones too", async () => {
    let statements = 0;
    const prisma = createPrismaClient(stack.env.DATABASE_URL!, { onQuery: () => void (statements += 1) });
    try {
      const batch = await createBatch();
      await change(batch.id, "IN_PROGRESS");
      const rows = await stack.production.runtime.prisma.outboxEvent.findMany({ where: { batchId: batch.id }, orderBy: { sequence: "asc" } });
      for (const row of rows) {
        const before = statements;
        expect(await verifyEvent(prisma, row.envelope as unknown as BatchEvent)).toEqual(row.envelope);
        expect(statements - before).toBe(1);
      }
      const before = statements;
      const legacy = { id: randomUUID(), type: "batch.status.changed", occurredAt: new Date().toISOString(), source: "mes", correlationId: null };
      await verifyEvent(prisma, { ...legacy, data: { batch_id: batch.id, new_status: "IN_PROGRESS" } });
      expect(statements - before).toBe(1);
    } finally {
      await prisma.$disconnect();
    }
  });
});
