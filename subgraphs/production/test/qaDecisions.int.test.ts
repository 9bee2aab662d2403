import { randomUUID } from "node:crypto";
import amqp, { type ConsumeMessage } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBackingServices } from "#lib/config.js";
import type { EventEnvelope } from "#lib/events/envelope.js";
import { deleteBrokerObjects } from "../../../test/support/broker.js";
import { Collector } from "../../../test/support/collector.js";
import { decideThroughQa, publishToQa, qaDecisionEvent, type QaDecisionSpec } from "../../../test/support/qaDecisions.js";
import { expectRestError, rest } from "../../../test/support/rest.js";
import { applyQaDecision } from "../src/qaDecisions/applyDecision.js";
import { readDecision } from "../src/qaDecisions/decision.js";
import { runName } from "./eventConsumer.js";
import { startJwksServer, type JwksServer } from "./jwksServer.js";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "./operations.js";
import { startProductionServer, uniqueBatchNumber, type Caller, type TestProductionServer } from "./productionServer.js";

/**
 * QA's decisions, published by the QA service on its exchange, applied by the production
 * subgraph's decision consumer: once each, only to a batch in QA_HOLD, and anything else
 * dead-lettered with its reason. Every message goes through the real RabbitMQ.
 */
const names = { qaExchange: runName("qa.events"), qaQueue: runName("production.qa-decisions") };
let auth: JwksServer;
let server: TestProductionServer;
let connection: amqp.ChannelModel;
const deadLetters = new Collector<ConsumeMessage>("dead letters");
let production: Caller;
let qa: Caller;
let viewer: Caller;

beforeAll(async () => {
  auth = await startJwksServer();
  server = await startProductionServer(auth, { qaDecisions: { exchange: names.qaExchange, queue: names.qaQueue }, logLevel: "info" });
  production = server.signIn("PRODUCTION");
  qa = server.signIn("QA");
  viewer = server.signIn("VIEWER");
  connection = await amqp.connect(readBackingServices().amqpUrl);
  const reader = await connection.createChannel();
  await reader.assertQueue(`${names.qaQueue}.dlq`, { durable: true });
  await reader.consume(`${names.qaQueue}.dlq`, (message) => {
    if (!message) return;
    deadLetters.push(message);
    reader.ack(message);
  });
});

afterAll(async () => {
  await server?.stop();
  await connection?.close();
  await deleteBrokerObjects(names);
  await auth?.stop();
});

/** How the helpers publish to this server's QA exchange and read its batches. */
const target = () => ({ ...names, call: server.call, token: viewer.token });

/** A new batch in QA_HOLD, waiting for QA's decision. */
async function heldBatch(): Promise<{ id: string; batchNumber: string }> {
  const created = await server.call(CREATE_BATCH, { input: batchInput(uniqueBatchNumber("QA")) }, production.token);
  const batch = created.data!.createBatch;
  for (const status of ["IN_PROGRESS", "QA_HOLD"])
    expect((await server.call(CHANGE_STATUS, { id: batch.id, status }, production.token)).errors).toBeUndefined();
  return batch;
}

const HISTORY = /* GraphQL */ `
  query ($id: ID!) {
    batch(id: $id) {
      status
      version
      history {
        fromStatus
        toStatus
        reason
        changedBy {
          id
        }
      }
    }
  }
`;
const readBatch = async (id: string) => (await server.call(HISTORY, { id }, viewer.token)).data!.batch;

/** `qa_decisions_total{outcome}` on the server's /metrics. */
async function decisions(outcome: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("qa_decisions_total{") && l.includes(`outcome="${outcome}"`));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

/** The dead letter of a message, once it is in `<queue>.dlq`. */
async function deadLetterOf(messageId: string): Promise<ConsumeMessage> {
  let found: ConsumeMessage | undefined;
  await expect.poll(() => (found = deadLetters.items.find((m) => m.properties.messageId === messageId)), { timeout: 10_000 }).toBeDefined();
  return found!;
}

/** The audit rows and `batch.status.changed` events a decision left for a batch. */
async function written(batchId: string, decisionId: string) {
  const { prisma } = server.runtime;
  const audit = await prisma.batchStatusChange.count({ where: { qaDecisionId: decisionId } });
  const events = await prisma.outboxEvent.findMany({ where: { batchId, type: "batch.status.changed" }, orderBy: { sequence: "asc" } });
  const decided = events.map((e) => e.envelope as unknown as EventEnvelope<Record<string, unknown>>).filter((e) => e.data.old_status === "QA_HOLD");
  return { audit, decided };
}

const spec = (batchId: string, overrides: Partial<QaDecisionSpec> = {}): QaDecisionSpec => ({
  batchId,
  decision: "RELEASED",
  signedBy: { id: qa.userId, name: "Quinn QA" },
  ...overrides,
});

describe("a QA decision published by the QA service", () => {
  it("releases a QA_HOLD batch, signed by the QA user in its history, with batch.status.changed in the outbox", async () => {
    const batch = await heldBatch();
    const applied = await decisions("applied");
    const event = await decideThroughQa(target(), spec(batch.id));
    const { decision_id: decisionId } = event.data;

    const read = await readBatch(batch.id);
    expect(read.status).toBe("RELEASED");
    expect(read.version).toBe(4);
    expect(read.history.at(-1)).toEqual({
      fromStatus: "QA_HOLD",
      toStatus: "RELEASED",
      reason: `QA decision ${decisionId}: approved for release`,
      changedBy: { id: qa.userId },
    });
    const { audit, decided } = await written(batch.id, decisionId);
    expect(audit).toBe(1);
    expect(decided).toEqual([
      {
        id: expect.any(String),
        type: "batch.status.changed",
        occurredAt: expect.any(String),
        source: "production",
        correlationId: event.correlationId,
        data: {
          batch_id: batch.id,
          batch_number: batch.batchNumber,
          old_status: "QA_HOLD",
          new_status: "RELEASED",
          reason: `QA decision ${decisionId}: approved for release`,
          changed_by: qa.userId,
          changed_at: decided[0]!.occurredAt,
          version: 4,
        },
      },
    ]);
    await expect.poll(() => decisions("applied")).toBe(applied + 1);
  });

  it("rejects a QA_HOLD batch with the rejection's reason", async () => {
    const batch = await heldBatch();
    const event = await decideThroughQa(target(), spec(batch.id, { decision: "REJECTED", meaning: "rejected", reason: "Dissolution 71 %, below 80 %" }));
    const read = await readBatch(batch.id);
    expect(read.status).toBe("REJECTED");
    expect(read.history.at(-1)).toEqual({
      fromStatus: "QA_HOLD",
      toStatus: "REJECTED",
      reason: `QA decision ${event.data.decision_id}: Dissolution 71 %, below 80 %`,
      changedBy: { id: qa.userId },
    });
  });

  it("is applied once when the same message is delivered twice", async () => {
    const batch = await heldBatch();
    const event = qaDecisionEvent(spec(batch.id));
    const again = await decisions("already_applied");
    await publishToQa(names, event);
    await publishToQa(names, event);
    await expect.poll(() => decisions("already_applied"), { timeout: 20_000 }).toBe(again + 1);
    const { audit, decided } = await written(batch.id, event.data.decision_id);
    expect({ audit, events: decided.length, status: (await readBatch(batch.id)).status }).toEqual({ audit: 1, events: 1, status: "RELEASED" });
  });

  it("is applied once when copies arrive at the same time, through the broker or side by side in process", async () => {
    const batch = await heldBatch();
    const event = qaDecisionEvent(spec(batch.id));
    const [applied, again] = [await decisions("applied"), await decisions("already_applied")];
    await Promise.all([publishToQa(names, event), publishToQa(names, event), publishToQa(names, event)]);
    await expect.poll(() => decisions("already_applied"), { timeout: 20_000 }).toBe(again + 2);
    expect(await decisions("applied")).toBe(applied + 1);
    expect(await written(batch.id, event.data.decision_id)).toMatchObject({ audit: 1, decided: [expect.anything()] });

    // Four copies of another decision applied at once, each on its own connection from the pool.
    const other = await heldBatch();
    const copy = qaDecisionEvent(spec(other.id, { decision: "REJECTED", reason: "Particles found" }));
    const decision = readDecision(copy as unknown as EventEnvelope<Record<string, unknown>>);
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => applyQaDecision(server.runtime.prisma, decision)));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(["already_applied", "already_applied", "already_applied", "applied"]);
    expect(await written(other.id, copy.data.decision_id)).toMatchObject({ audit: 1, decided: [expect.anything()] });
  });
});

describe("a QA decision that cannot apply is dead-lettered with its reason", () => {
  const refused = async (body: EventEnvelope<unknown> | Buffer, routingKey?: string) => {
    const messageId = Buffer.isBuffer(body) ? undefined : body.id;
    await publishToQa(names, body, { routingKey });
    return messageId;
  };

  it.each([
    ["a decision other than the type's", (id: string) => withData(id, { decision: "REJECTED" }), "decision is not RELEASED, as qa.batch.released says"],
    ["a batch id that is no UUID", () => withData("B-2026-0001", {}), "batch_id is not a UUID"],
    ["a decision id that is no UUID", (id: string) => withData(id, { decision_id: "42" }), "decision_id is not a UUID"],
    ["a signer that is no UUID", (id: string) => withData(id, { signed_by: "qa@example.com" }), "signed_by is not a UUID"],
    ["a release with a reason", (id: string) => withData(id, { reason: "why not" }), "reason must be null for a release"],
    ["a rejection without a reason", (id: string) => rejection(id, { reason: null }), "reason is missing or empty"],
    ["a rejection with an empty reason", (id: string) => rejection(id, { reason: "  " }), "reason is missing or empty"],
    ["a signing time that is no time", (id: string) => withData(id, { signed_at: "yesterday" }), "signed_at is not a time"],
    ["another source than qa", (id: string) => ({ ...withData(id, {}), source: "mes" }), "source is mes, not qa"],
  ])("%s: invalid, and the batch stays in QA_HOLD", async (_, make, detail) => {
    const batch = await heldBatch();
    const event = make(batch.id);
    const refusedBefore = await decisions("refused");
    await refused(event);
    const letter = await deadLetterOf(event.id);
    expect(letter.properties.headers).toMatchObject({
      "x-dead-letter-reason": "invalid",
      "x-dead-letter-detail": detail,
      "x-original-routing-key": event.type,
    });
    expect(JSON.parse(letter.content.toString("utf8"))).toEqual(event);
    expect((await readBatch(batch.id)).status).toBe("QA_HOLD");
    await expect.poll(() => decisions("refused")).toBe(refusedBefore + 1);
  });

  it("a body that is not JSON: not_json", async () => {
    const messageId = randomUUID();
    const connectionForRaw = await amqp.connect(readBackingServices().amqpUrl);
    try {
      const channel = await connectionForRaw.createConfirmChannel();
      channel.publish(names.qaExchange, "qa.batch.released", Buffer.from("{not json"), { persistent: true, messageId });
      await channel.waitForConfirms();
    } finally {
      await connectionForRaw.close();
    }
    const letter = await deadLetterOf(messageId);
    expect(letter.properties.headers).toMatchObject({ "x-dead-letter-reason": "not_json", "x-original-routing-key": "qa.batch.released" });
  });

  it("a decision for a batch that is not in QA_HOLD: not_in_qa_hold, logged as an error naming batch, decision and status", async () => {
    const created = await server.call(CREATE_BATCH, { input: batchInput(uniqueBatchNumber("QA")) }, production.token);
    const batch = created.data!.createBatch;
    await server.call(CHANGE_STATUS, { id: batch.id, status: "IN_PROGRESS" }, production.token);
    const event = qaDecisionEvent(spec(batch.id));
    await publishToQa(names, event);
    const detail = `batch ${batch.batchNumber} (${batch.id}) is IN_PROGRESS, not QA_HOLD: decision ${event.data.decision_id} (RELEASED) cannot apply`;
    const letter = await deadLetterOf(event.id);
    expect(letter.properties.headers).toMatchObject({ "x-dead-letter-reason": "not_in_qa_hold", "x-dead-letter-detail": detail });
    expect(server.logs).toContainEqual(
      expect.objectContaining({
        level: 50,
        component: "qa-decision-consumer",
        eventId: event.id,
        reason: "not_in_qa_hold",
        detail,
        msg: `refusing a QA decision: ${detail}`,
      }),
    );
    expect((await readBatch(batch.id)).status).toBe("IN_PROGRESS");
  });

  it("a second decision for a batch already decided: not_in_qa_hold, the first one stands", async () => {
    const batch = await heldBatch();
    const first = await decideThroughQa(target(), spec(batch.id));
    const second = qaDecisionEvent(spec(batch.id, { decision: "REJECTED", reason: "Changed my mind" }));
    await publishToQa(names, second);
    const letter = await deadLetterOf(second.id);
    expect(letter.properties.headers).toMatchObject({
      "x-dead-letter-reason": "not_in_qa_hold",
      "x-dead-letter-detail": `batch ${batch.batchNumber} (${batch.id}) is RELEASED, not QA_HOLD: decision ${second.data.decision_id} (REJECTED) cannot apply`,
    });
    const read = await readBatch(batch.id);
    expect(read.status).toBe("RELEASED");
    expect(read.history.at(-1).reason).toBe(`QA decision ${first.data.decision_id}: approved for release`);
  });

  it("a decision for a batch that does not exist: unknown_batch", async () => {
    const event = qaDecisionEvent(spec(randomUUID()));
    await publishToQa(names, event);
    const letter = await deadLetterOf(event.id);
    expect(letter.properties.headers).toMatchObject({
      "x-dead-letter-reason": "unknown_batch",
      "x-dead-letter-detail": `no batch ${event.data.batch_id} for decision ${event.data.decision_id} (RELEASED)`,
    });
  });

  it("a decision id applied before to another batch: decision_conflict", async () => {
    const [a, b] = [await heldBatch(), await heldBatch()];
    const first = await decideThroughQa(target(), spec(a.id));
    const reused = qaDecisionEvent(spec(b.id, { decisionId: first.data.decision_id }));
    await publishToQa(names, reused);
    const letter = await deadLetterOf(reused.id);
    expect(letter.properties.headers).toMatchObject({
      "x-dead-letter-reason": "decision_conflict",
      "x-dead-letter-detail": `decision ${first.data.decision_id} was applied already as RELEASED of batch ${a.id}, not RELEASED of ${b.id}`,
    });
    expect((await readBatch(b.id)).status).toBe("QA_HOLD");
  });
});

describe("the direct path to RELEASED and REJECTED is closed", () => {
  const message = (batchNumber: string) =>
    `Batch ${batchNumber} is released or rejected through the QA service: use releaseBatch(batchId, signature) or rejectBatch(batchId, reason, signature)`;

  it("changeBatchStatus names the QA service's mutations", async () => {
    const batch = await heldBatch();
    const released = await server.call(CHANGE_STATUS, { id: batch.id, status: "RELEASED", reason: "Meets specification" }, qa.token);
    expect(released.data).toBeNull();
    expect(released.errors).toEqual([
      {
        message: message(batch.batchNumber),
        locations: [{ line: 3, column: 5 }],
        path: ["changeBatchStatus"],
        extensions: { code: "BAD_USER_INPUT", field: "status", qaMutation: "releaseBatch" },
      },
    ]);
    const rejected = await server.call(CHANGE_STATUS, { id: batch.id, status: "REJECTED", reason: "Out of spec" }, qa.token);
    expect(rejected.errors).toEqual([
      {
        message: message(batch.batchNumber),
        locations: [{ line: 3, column: 5 }],
        path: ["changeBatchStatus"],
        extensions: { code: "BAD_USER_INPUT", field: "status", qaMutation: "rejectBatch" },
      },
    ]);
    expect((await readBatch(batch.id)).status).toBe("QA_HOLD");
  });

  it("PUT /api/batches/{id} with status RELEASED or REJECTED answers 422 naming them", async () => {
    const batch = await heldBatch();
    const released = await rest(server.url, "PUT", `/api/batches/${batch.id}`, { token: qa.token, json: { status: "RELEASED" } });
    expectRestError(released, 422, "BAD_USER_INPUT", message(batch.batchNumber), { field: "status", qaMutation: "releaseBatch" });
    const rejected = await rest(server.url, "PUT", `/api/batches/${batch.id}`, { token: qa.token, json: { status: "REJECTED", reason: "Out of spec" } });
    expectRestError(rejected, 422, "BAD_USER_INPUT", message(batch.batchNumber), { field: "status", qaMutation: "rejectBatch" });
    expect((await readBatch(batch.id)).status).toBe("QA_HOLD");
  });
});

/** A release of batch `batchId` whose `data` has `overrides`. */
function withData(batchId: string, overrides: Record<string, unknown>) {
  const event = qaDecisionEvent(spec(batchId));
  return { ...event, data: { ...event.data, ...overrides } };
}

/** A rejection of batch `batchId` whose `data` has `overrides`. */
function rejection(batchId: string, overrides: Record<string, unknown>) {
  const event = qaDecisionEvent(spec(batchId, { decision: "REJECTED" }));
  return { ...event, data: { ...event.data, ...overrides } };
}
