import { Counter } from "prom-client";
import type { ConsumerSettings, ProductionConfig } from "#lib/config.js";
import { connectBroker } from "#lib/events/broker.js";
import { startEventConsumer } from "#lib/events/consumer.js";
import { UnhandleableEventError } from "#lib/events/deadLetter.js";
import { registered } from "#lib/server/operationMetrics.js";
import type { Runtime } from "#lib/server/runtime.js";
import { applyQaDecision } from "./applyDecision.js";
import { DECISION_REASONS, QaEventType, readDecision } from "./decision.js";

export interface QaDecisionConsumerOptions extends Partial<ConsumerSettings> {
  /** `QA_EVENTS_EXCHANGE`, default `qa.events`: the QA service's exchange. */
  exchange: string;
  /** `QA_DECISIONS_QUEUE`, default `production.qa-decisions`; tests use their own. */
  queue: string;
}

/** Outcomes of `qa_decisions_total`. */
const OUTCOMES = ["applied", "already_applied", "refused"] as const;

/**
 * Applies QA's decisions (`qa.batch.released`, `qa.batch.rejected`) from the QA service's
 * exchange, exactly once each (`applyDecision.ts`); a message is acknowledged once its decision
 * is applied (or found applied before). A decision that cannot apply (malformed, an unknown
 * batch, a batch not in QA_HOLD) is logged as an error and dead-lettered to `<queue>.dlq` with
 * its reason; PostgreSQL away is retried with backoff (`startEventConsumer`). Its own broker
 * connection, and metrics of its own: `qa_decisions_total{outcome}` and
 * `qa_decision_events_{consumed,retried,dead_lettered}_total`.
 */
export function startQaDecisionConsumer(runtime: Runtime<ProductionConfig>, { exchange, queue, ...settings }: QaDecisionConsumerOptions) {
  const logger = runtime.logger.child({ component: "qa-decision-consumer" });
  const decisions = registered(
    runtime.metrics,
    "qa_decisions_total",
    () =>
      new Counter({
        name: "qa_decisions_total",
        help: "QA decisions (release, rejection) by outcome: applied, already applied before (a message delivered again), refused (dead-lettered)",
        labelNames: ["outcome"],
        registers: [runtime.metrics],
      }),
  );
  for (const outcome of OUTCOMES) decisions.inc({ outcome }, 0);
  const broker = connectBroker(runtime.config.amqpUrl, logger);
  const consumer = startEventConsumer(broker, {
    exchange,
    queue,
    bindings: [QaEventType.released, QaEventType.rejected],
    ...settings,
    reasons: DECISION_REASONS,
    metricsPrefix: "qa_decision_events",
    logger,
    metrics: runtime.metrics,
    async handle(event) {
      try {
        const decision = readDecision(event);
        const { outcome, batch } = await applyQaDecision(runtime.prisma, decision);
        decisions.inc({ outcome });
        const fields = { eventId: event.id, decisionId: decision.decisionId, batchId: batch.id, batchNumber: batch.batchNumber, decision: decision.decision };
        if (outcome === "applied") logger.info({ ...fields, signedById: decision.signedById }, "applied a QA decision");
        else logger.info({ ...fields, status: batch.status }, "a QA decision delivered again: applied before, not written twice");
      } catch (err) {
        if (err instanceof UnhandleableEventError) {
          decisions.inc({ outcome: "refused" });
          logger.error({ eventId: event.id, type: event.type, reason: err.reason, detail: err.message }, `refusing a QA decision: ${err.message}`);
        }
        throw err;
      }
    },
  });
  return {
    deadLetterQueue: consumer.deadLetterQueue,
    async stop() {
      await consumer.close();
      await broker.close();
    },
  };
}
