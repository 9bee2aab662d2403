import type { ConsumerSettings } from "#lib/config.js";
import { connectBroker } from "#lib/events/broker.js";
import { startEventConsumer } from "#lib/events/consumer.js";
import { UnhandleableEventError } from "#lib/events/deadLetter.js";
import { isUuid } from "#lib/graphql/ids.js";
import type { PrismaClient } from "#lib/prisma.js";
import type { EventPubSub } from "#lib/pubsub/redis.js";
import type { Logger } from "#lib/logger.js";
import type { Registry } from "prom-client";
import { CHANNEL_OF } from "./channels.js";
import { QA_EVENT_TYPES } from "../events/qaEvents.js";

/** Why the consumer dead-letters an event besides the common reasons (lib/events/deadLetter.ts). */
export const QA_VERIFY_REASONS = ["unknown_type", "unknown_record"] as const;

export interface QaSubscriptionConsumerOptions extends Partial<ConsumerSettings> {
  /** `QA_EVENTS_EXCHANGE`. */
  exchange: string;
  /** `QA_SUBSCRIPTIONS_QUEUE`. */
  queue: string;
}

interface ConsumerDeps {
  amqpUrl: string;
  prisma: PrismaClient;
  events: EventPubSub;
  logger: Logger;
  metrics: Registry;
}

/**
 * Moves QA events from RabbitMQ to Redis pub/sub for the subscriptions of every qa instance.
 * An event is delivered only when the record it names exists (another publisher on the
 * exchange cannot make subscribers see a deviation or a decision QA never wrote); otherwise it
 * is dead-lettered. Acknowledged once Redis accepted it.
 */
export function startQaSubscriptionConsumer(deps: ConsumerDeps, { exchange, queue, ...settings }: QaSubscriptionConsumerOptions) {
  const logger = deps.logger.child({ component: "subscription-consumer" });
  const broker = connectBroker(deps.amqpUrl, logger);
  const consumer = startEventConsumer(broker, {
    exchange,
    queue,
    bindings: Object.keys(CHANNEL_OF),
    ...settings,
    reasons: QA_VERIFY_REASONS,
    logger,
    metrics: deps.metrics,
    async handle(event) {
      const channel = CHANNEL_OF[event.type];
      if (!channel) throw new UnhandleableEventError("unknown_type", `qa subscriptions do not deliver ${event.type}`);
      const isDeviation = event.type === QA_EVENT_TYPES.deviationOpened;
      const id = isDeviation ? event.data.deviation_id : event.data.decision_id;
      if (typeof id !== "string" || !isUuid(id)) throw new UnhandleableEventError("invalid", `${isDeviation ? "deviation_id" : "decision_id"} is not a UUID`);
      const found = isDeviation
        ? await deps.prisma.deviation.findUnique({ where: { id }, select: { id: true } })
        : await deps.prisma.releaseDecision.findUnique({ where: { id }, select: { id: true } });
      if (!found) throw new UnhandleableEventError("unknown_record", `no ${isDeviation ? "deviation" : "release decision"} ${id}`);
      await deps.events.publish(channel, event);
    },
  });
  return {
    async stop() {
      await consumer.close();
      await broker.close();
    },
  };
}
