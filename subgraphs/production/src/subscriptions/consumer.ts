import { read, type Env } from "../../../../lib/config.js";
import { connectBroker } from "../../../../lib/events/broker.js";
import { readConsumerSettings, readEventsConfig, type ConsumerSettings } from "../../../../lib/events/config.js";
import { startEventConsumer } from "../../../../lib/events/consumer.js";
import type { EventPubSub } from "../../../../lib/pubsub/redis.js";
import type { Runtime } from "../../../../lib/server/runtime.js";
import { UnhandleableEventError } from "../../../../lib/events/deadLetter.js";
import { EventType } from "../events.js";

/** Default queue of the subscription consumer, shared by every production instance. */
export const DEFAULT_SUBSCRIPTIONS_QUEUE = "production.subscriptions";

export interface SubscriptionConsumerOptions extends Partial<ConsumerSettings> {
  exchange: string;
  /** `SUBSCRIPTIONS_QUEUE`, default `production.subscriptions`; tests use their own. */
  queue: string;
}

/** The consumer's settings from `EVENTS_EXCHANGE`, `SUBSCRIPTIONS_QUEUE` and the `EVENTS_*` limits. */
export function readSubscriptionConsumerConfig(env: Env = process.env): SubscriptionConsumerOptions {
  return { ...readEventsConfig(env), ...readConsumerSettings(env), queue: read(env, "SUBSCRIPTIONS_QUEUE", DEFAULT_SUBSCRIPTIONS_QUEUE) };
}

const KNOWN_TYPES = new Set<string>(Object.values(EventType));

/**
 * Checks what the subscription resolvers rely on: a known type and a batch id (statuses are
 * checked by GraphQL when the event is resolved). Anything else could never be delivered.
 */
function assertDeliverable(type: string, data: Record<string, unknown>): void {
  if (!KNOWN_TYPES.has(type)) throw new UnhandleableEventError("unknown_type", `unknown event type ${type}`);
  if (typeof data.batch_id !== "string" || data.batch_id === "") throw new UnhandleableEventError("invalid", "no batch_id");
  if (type === EventType.statusChanged && typeof data.new_status !== "string") throw new UnhandleableEventError("invalid", "no new_status");
}

/**
 * Moves batch events from RabbitMQ to Redis pub/sub, where every production instance's
 * subscribers get them; a message is acknowledged once Redis accepted it. Its own broker
 * connection, so that it reconnects independently of the relay.
 */
export function startSubscriptionConsumer(runtime: Runtime, events: EventPubSub, { exchange, queue, ...settings }: SubscriptionConsumerOptions) {
  const logger = runtime.logger.child({ component: "subscription-consumer" });
  const broker = connectBroker(runtime.config.amqpUrl, logger);
  const consumer = startEventConsumer(broker, {
    exchange,
    queue,
    bindings: ["batch.#"],
    ...settings,
    reasons: ["unknown_type"],
    logger,
    metrics: runtime.metrics,
    async handle(event) {
      assertDeliverable(event.type, event.data);
      await events.pubsub.publish(events.channel(event.type), event);
    },
  });
  return {
    async stop() {
      await consumer.close();
      await broker.close();
    },
  };
}
