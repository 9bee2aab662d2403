import { context, SpanKind } from "@opentelemetry/api";
import { RedisPubSub } from "graphql-redis-subscriptions";
import { Redis } from "ioredis";
import type { Registry } from "prom-client";
import type { EventEnvelope } from "../events/envelope.js";
import type { Logger } from "../logger.js";
import { currentTraceparent, inSpan } from "../telemetry/messageSpans.js";
import { deliveryLatency, type DeliveryObserver } from "./deliveryLatency.js";

/** Pub/sub over Redis, with the channel prefix every name goes under. */
export interface EventPubSub {
  pubsub: RedisPubSub;
  /** The Redis channel of an event type: `<prefix>events:<type>`, so test runs never meet. */
  channel(type: string): string;
  /**
   * Publishes `event` on the channel of `type` for every instance's subscribers, in a PRODUCER
   * span of the current trace (the consumer's, when traced): the event then carries that span's
   * `traceparent`, and each subscription's delivery joins the trace.
   */
  publish(type: string, event: EventEnvelope): Promise<void>;
  /** Called by `eventStream` for each live event it hands to a subscriber (the latency metric). */
  delivered?: DeliveryObserver;
  close(): Promise<void>;
}

/**
 * `graphql-redis-subscriptions` on two connections of its own: a connection in subscriber mode
 * can do nothing else, so publishing needs the other one. With `metrics`, the deliveries of
 * its subscriptions are measured in `event_delivery_latency_seconds`.
 */
export function createEventPubSub(redisUrl: string, prefix: string, logger: Logger, metrics?: Registry): EventPubSub {
  const connect = (role: string, maxRetriesPerRequest: number | null) => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest });
    redis.on("error", (err) => logger.warn({ err, role }, "redis pub/sub connection error"));
    return redis;
  };
  // A publish fails after a few reconnection attempts: the consumer retries the event later.
  const publisher = connect("publisher", 3);
  // SUBSCRIBE and UNSUBSCRIBE wait for Redis, however long it is away: the library sends an
  // UNSUBSCRIBE (a subscriber left) without awaiting it, so its failure would be an unhandled
  // rejection, which ends the process, and the channel, resubscribed on reconnection, would stay.
  const subscriber = connect("subscriber", null);
  const pubsub = new RedisPubSub({ publisher, subscriber });
  const channel = (type: string) => `${prefix}events:${type}`;
  return {
    pubsub,
    channel,
    publish(type, event) {
      const destination = channel(type);
      return inSpan(
        `publish ${destination}`,
        SpanKind.PRODUCER,
        context.active(),
        { "messaging.system": "redis", "messaging.destination.name": destination },
        () => {
          const traceparent = currentTraceparent();
          return pubsub.publish(destination, traceparent ? { ...event, traceparent } : event);
        },
      );
    },
    delivered: metrics && deliveryLatency(metrics),
    async close() {
      await pubsub.close().catch(() => undefined);
      for (const redis of [publisher, subscriber]) if (redis.status !== "end") redis.disconnect();
    },
  };
}
