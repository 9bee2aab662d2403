import { RedisPubSub } from "graphql-redis-subscriptions";
import { Redis } from "ioredis";
import type { Registry } from "prom-client";
import type { Logger } from "../logger.js";
import { deliveryLatency, type DeliveryObserver } from "./deliveryLatency.js";

/** Pub/sub over Redis, with the channel prefix every name goes under. */
export interface EventPubSub {
  pubsub: RedisPubSub;
  /** The Redis channel of an event type: `<prefix>events:<type>`, so test runs never meet. */
  channel(type: string): string;
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
  const connect = (role: string) => {
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
    redis.on("error", (err) => logger.warn({ err, role }, "redis pub/sub connection error"));
    return redis;
  };
  const publisher = connect("publisher");
  const subscriber = connect("subscriber");
  const pubsub = new RedisPubSub({ publisher, subscriber });
  return {
    pubsub,
    channel: (type) => `${prefix}events:${type}`,
    delivered: metrics && deliveryLatency(metrics),
    async close() {
      await pubsub.close().catch(() => undefined);
      for (const redis of [publisher, subscriber]) if (redis.status !== "end") redis.disconnect();
    },
  };
}
