import type { ConsumeMessage } from "amqplib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readBackingServices } from "#lib/config.js";
import { readCounter } from "../../../test/support/graphql.js";
import { applyQaDecisionEvent } from "../../../test/support/qaDecisions.js";
import { startTcpProxy, type TcpProxy } from "../../../test/support/tcpProxy.js";
import { startTestConsumer, type TestConsumer } from "./eventConsumer.js";
import { startJwksServer, type JwksServer } from "./jwksServer.js";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "./operations.js";
import { createOwnDatabase } from "./ownDatabase.js";
import { startProductionServer, uniqueBatchNumber, type TestProductionServer } from "./productionServer.js";

/**
 * RabbitMQ goes away for the relay only (a proxy the test owns between the two is cut, the
 * shared broker stays up): changes keep committing, and once the proxy is back every event
 * written meanwhile is published, none lost, in order per batch.
 */
const BATCHES = 50;
// Four changes per batch: PLANNED -> IN_PROGRESS -> QA_HOLD -> RELEASED (a QA decision) -> COMPLETED.
const WALK = [
  ["IN_PROGRESS", "PRODUCTION"],
  ["QA_HOLD", "PRODUCTION"],
  ["RELEASED", "QA"],
  ["COMPLETED", "PRODUCTION"],
] as const;

let database: Awaited<ReturnType<typeof createOwnDatabase>>;
let auth: JwksServer;
let consumer: TestConsumer;
let proxy: TcpProxy;
let server: TestProductionServer;

beforeAll(async () => {
  const broker = new URL(readBackingServices().amqpUrl);
  [database, auth, consumer, proxy] = await Promise.all([
    createOwnDatabase(),
    startJwksServer(),
    startTestConsumer(),
    startTcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) }),
  ]);
  broker.hostname = "127.0.0.1";
  broker.port = String(proxy.port);
  server = await startProductionServer(auth, {
    databaseUrl: database.url,
    env: { AMQP_URL: broker.toString() },
    relay: { exchange: consumer.exchange, pollIntervalMs: 200, maxReconnectDelayMs: 1_000 },
  });
});

afterAll(async () => {
  await server?.stop();
  await proxy?.close();
  await consumer?.close();
  await auth?.stop();
  await database?.drop();
});

const body = (message: ConsumeMessage) => JSON.parse(message.content.toString("utf8"));

it("commits 200 status changes while the broker is unreachable and publishes all their events once it is back", async () => {
  const tokens = { PRODUCTION: server.signIn("PRODUCTION").token };
  const qa = server.signIn("QA");
  const created = await Promise.all(
    Array.from({ length: BATCHES }, () => server.call(CREATE_BATCH, { input: batchInput(uniqueBatchNumber("O")) }, tokens.PRODUCTION)),
  );
  const ids = created.map((r) => r.data!.createBatch.id as string);
  await consumer.waitFor(BATCHES);
  // The relay marks an event published after the broker confirmed it: the consumer may have it first.
  await expect.poll(() => server.runtime.prisma.outboxEvent.count({ where: { publishedAt: null } }), { timeout: 10_000 }).toBe(0);

  proxy.cut();
  const results = await Promise.all(
    ids.map(async (id) => {
      const outcomes = [];
      for (const [status, role] of WALK) {
        if (role === "QA") {
          // QA's release, applied as the decision consumer applies it: its events go through the same outbox.
          const { outcome } = await applyQaDecisionEvent(server.runtime.prisma, { batchId: id, decision: status, signedBy: { id: qa.userId } });
          outcomes.push(outcome === "applied" ? "ok" : outcome);
          continue;
        }
        const result = await server.call(CHANGE_STATUS, { id, status, actualQuantity: status === "COMPLETED" ? 990 : null }, tokens[role]);
        outcomes.push(result.errors ?? "ok");
      }
      return outcomes;
    }),
  );
  expect(results.flat()).toEqual(Array(BATCHES * WALK.length).fill("ok"));
  const { prisma } = server.runtime;
  expect(await prisma.batchStatusChange.count({ where: { batchId: { in: ids }, fromStatus: { not: null } } })).toBe(200);
  // 200 status changes and 50 completions wait in the outbox; nothing got through.
  const waiting = await prisma.outboxEvent.count({ where: { publishedAt: null } });
  expect(waiting).toBe(250);
  // The relay sees them all waiting, and publishes none while the broker is out of reach.
  await expect.poll(() => readCounter(server.url, "outbox_backlog"), { timeout: 10_000 }).toBe(waiting);
  expect(consumer.messages).toHaveLength(BATCHES);

  proxy.restore();
  const messages = (await consumer.waitFor(BATCHES + waiting, 30_000)).slice(BATCHES);
  // The relay did lose its connection, and made a new one.
  expect(proxy.connections).toBeGreaterThanOrEqual(2);
  await expect.poll(() => prisma.outboxEvent.count({ where: { publishedAt: null } }), { timeout: 5_000 }).toBe(0);
  expect(await readCounter(server.url, "outbox_backlog")).toBe(0);

  // Every event written during the outage arrived, once.
  const stored = await prisma.outboxEvent.findMany({ where: { batchId: { in: ids }, type: { not: "batch.created" } }, select: { id: true } });
  const receivedIds = messages.map((m) => m.properties.messageId as string);
  expect(new Set(receivedIds).size).toBe(receivedIds.length);
  expect(receivedIds.sort()).toEqual(stored.map((row) => row.id).sort());

  // And in order for each batch.
  const perBatch = new Map<string, string[]>();
  for (const event of messages.map(body)) {
    const step = event.type === "batch.completed" ? "completed" : event.data.new_status;
    perBatch.set(event.data.batch_id, [...(perBatch.get(event.data.batch_id) ?? []), step]);
  }
  expect([...perBatch.keys()].sort()).toEqual([...ids].sort());
  for (const steps of perBatch.values()) expect(steps).toEqual(["IN_PROGRESS", "QA_HOLD", "RELEASED", "COMPLETED", "completed"]);
}, 90_000);
