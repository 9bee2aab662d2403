import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import amqp from "amqplib";
import { readBackingServices } from "#lib/config.js";
import { assertEventsExchange } from "#lib/events/broker.js";
import { createEnvelope, type EventEnvelope } from "#lib/events/envelope.js";
import type { PrismaClient } from "../../generated/prisma/client.js";
import { applyQaDecision, type DecisionResult } from "../../subgraphs/production/src/qaDecisions/applyDecision.js";
import { QA_SOURCE, QaEventType, readDecision, type QaDecisionData } from "../../subgraphs/production/src/qaDecisions/decision.js";
import type { GraphQLResult } from "./graphql.js";

/** A decision as the QA service signs it; everything but the batch, the decision and the signer has a default. */
export interface QaDecisionSpec {
  batchId: string;
  decision: "RELEASED" | "REJECTED";
  /** The signing QA user: their id (a user row, for `changedBy { name }` to resolve) and name. */
  signedBy: { id: string; name?: string };
  /** Default: a new UUID. */
  decisionId?: string;
  /** Default `approved for release` / `rejected`. */
  meaning?: string;
  /** A rejection's reason; default `Out of specification`. Always null for a release. */
  reason?: string;
  /** The envelope's correlation id (the QA request that signed); default a new UUID. */
  correlationId?: string;
}

/** The well-formed `qa.batch.released` / `qa.batch.rejected` envelope of a decision, as the QA service publishes it. */
export function qaDecisionEvent(spec: QaDecisionSpec): EventEnvelope<QaDecisionData> {
  const released = spec.decision === "RELEASED";
  return createEnvelope<QaDecisionData>(
    released ? QaEventType.released : QaEventType.rejected,
    {
      batch_id: spec.batchId,
      decision_id: spec.decisionId ?? randomUUID(),
      decision: spec.decision,
      signed_by: spec.signedBy.id,
      signed_by_name: spec.signedBy.name ?? "Quinn QA",
      meaning: spec.meaning ?? (released ? "approved for release" : "rejected"),
      signed_at: new Date().toISOString(),
      reason: released ? null : (spec.reason ?? "Out of specification"),
    },
    { source: QA_SOURCE, correlationId: spec.correlationId ?? randomUUID() },
  );
}

/** Where a stack takes QA's decisions from: its `QA_EVENTS_EXCHANGE` and `QA_DECISIONS_QUEUE`. */
export interface QaExchange {
  qaExchange: string;
  qaQueue: string;
}

/**
 * Publishes to a stack's QA exchange with amqplib, as the QA service's relay would: persistent,
 * confirmed, `messageId` the envelope's id, routing key its type (or `routingKey`). `body` is an
 * envelope, or raw bytes for malformed messages. The decision queue is declared and bound first,
 * as the consumer declares it, so that a message published before the consumer is up waits for it.
 */
export async function publishToQa(
  { qaExchange, qaQueue }: QaExchange,
  body: EventEnvelope<unknown> | Buffer,
  { routingKey, amqpUrl = readBackingServices().amqpUrl }: { routingKey?: string; amqpUrl?: string } = {},
): Promise<void> {
  const envelope = Buffer.isBuffer(body) ? undefined : body;
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    await assertEventsExchange(channel, qaExchange);
    await channel.assertQueue(qaQueue, { durable: true, arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": `${qaQueue}.dlq` } });
    for (const type of Object.values(QaEventType)) await channel.bindQueue(qaQueue, qaExchange, type);
    const key = routingKey ?? envelope?.type ?? QaEventType.released;
    const content = envelope ? Buffer.from(JSON.stringify(envelope)) : (body as Buffer);
    channel.publish(qaExchange, key, content, {
      persistent: true,
      contentType: "application/json",
      ...(envelope ? { messageId: envelope.id, type: envelope.type, appId: QA_SOURCE } : {}),
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** How the helper reads a batch back: a GraphQL call (gateway or production subgraph) and a token with `batches:read`. */
export interface BatchReader {
  call(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResult>;
  token: string;
}

const BATCH_STATUS = /* GraphQL */ `
  query QaDecisionApplied($id: ID!) {
    batch(id: $id) {
      status
      history {
        toStatus
        reason
      }
    }
  }
`;

/**
 * Applies a QA decision the real way: publishes its well-formed event to the stack's QA exchange,
 * then reads the batch through GraphQL until its history holds the decision's audit row (the
 * status it decided, the reason naming the decision id). Returns the event. Fails after
 * `timeoutMs` with the status the batch is in (a decision that was dead-lettered never shows).
 */
export async function decideThroughQa(stack: QaExchange & BatchReader, spec: QaDecisionSpec, timeoutMs = 15_000): Promise<EventEnvelope<QaDecisionData>> {
  const event = qaDecisionEvent(spec);
  await publishToQa(stack, event);
  const marker = `QA decision ${event.data.decision_id}:`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data, errors } = await stack.call(BATCH_STATUS, { id: spec.batchId }, stack.token);
    const batch = data?.batch as { status: string; history: Array<{ toStatus: string; reason: string | null }> } | null | undefined;
    if (batch?.history.some((h) => h.toStatus === spec.decision && h.reason?.startsWith(marker))) return event;
    if (Date.now() > deadline) {
      throw new Error(
        `QA decision ${event.data.decision_id} (${spec.decision}) of batch ${spec.batchId} not applied: ${JSON.stringify(errors ?? batch?.status)}`,
      );
    }
    // Polled, not slept on: the next read as soon as 20 ms passed (the rate limits count each read).
    await delay(20);
  }
}

/** Releases a batch in QA_HOLD the real way ({@link decideThroughQa}), signed by `signedBy`. */
export const releaseThroughQa = (stack: QaExchange & BatchReader, batchId: string, signedBy: QaDecisionSpec["signedBy"]) =>
  decideThroughQa(stack, { batchId, decision: "RELEASED", signedBy });

/**
 * For tests of one production subgraph without its decision consumer: applies the decision's
 * well-formed event with the consumer's own code (`readDecision`, `applyQaDecision`), in process.
 */
export function applyQaDecisionEvent(prisma: PrismaClient, spec: QaDecisionSpec): Promise<DecisionResult & { event: EventEnvelope<QaDecisionData> }> {
  const event = qaDecisionEvent(spec);
  return applyQaDecision(prisma, readDecision(event as unknown as EventEnvelope<Record<string, unknown>>)).then((result) => ({ ...result, event }));
}
