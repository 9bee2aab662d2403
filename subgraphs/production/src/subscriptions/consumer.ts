import type { ConsumerSettings, ProductionConfig } from "#lib/config.js";
import { connectBroker } from "#lib/events/broker.js";
import { startEventConsumer } from "#lib/events/consumer.js";
import type { EventPubSub } from "#lib/pubsub/redis.js";
import type { Runtime } from "#lib/server/runtime.js";
import type { BatchEvent } from "./payloads.js";
import { VERIFY_REASONS, verifyEvent } from "./verify.js";

export interface SubscriptionConsumerOptions extends Partial<ConsumerSettings> {
  /** `EVENTS_EXCHANGE`. */
  exchange: string;
  /** `SUBSCRIPTIONS_QUEUE`, default `production.subscriptions`; tests use their own. */
  queue: string;
}

/**
 * Moves batch events from RabbitMQ to Redis pub/sub, where every production instance's
 * subscribers get them; a message is acknowledged once Redis accepted it. Each event is first
 * checked against the database (`verify.ts`) and published as the records have it. Its own
 * broker connection, so that it reconnects independently of the relay.
 */
export function startSubscriptionConsumer(
  runtime: Runtime<ProductionConfig>,
  events: EventPubSub,
  { exchange, queue, ...settings }: SubscriptionConsumerOptions,
) {
  const logger = runtime.logger.child({ component: "subscription-consumer" });
  const broker = connectBroker(runtime.config.amqpUrl, logger);
  const consumer = startEventConsumer(broker, {
    exchange,
    queue,
    bindings: ["batch.#"],
    ...settings,
    reasons: VERIFY_REASONS,
    logger,
    metrics: runtime.metrics,
    async handle(event) {
      const verified = await verifyEvent(runtime.prisma, event as BatchEvent);
      await events.publish(verified.type, verified);
    },
  });
  return {
    async stop() {
      await consumer.close();
      await broker.close();
    },
  };
}
