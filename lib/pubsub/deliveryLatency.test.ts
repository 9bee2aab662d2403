import type { RedisPubSub } from "graphql-redis-subscriptions";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createEnvelope, type EventEnvelope } from "../events/envelope.js";
import { deliveryLatency } from "./deliveryLatency.js";
import type { EventPubSub } from "./redis.js";
import { eventStream } from "./stream.js";

const T0 = Date.parse("2024-05-01T12:00:00.000Z");
const event = (type: string, msAgo: number, id?: string) =>
  createEnvelope(type, {}, { source: "production", correlationId: null, occurredAt: new Date(T0 - msAgo), id });

/** The histogram's count and sum for one event type. */
async function observed(registry: Registry, type: string) {
  const { values } = await registry.getSingleMetric("event_delivery_latency_seconds")!.get();
  const of = (name: string) => values.find((v) => (v as { metricName?: string }).metricName === name && v.labels.type === type)?.value ?? 0;
  return { count: of("event_delivery_latency_seconds_count"), sum: of("event_delivery_latency_seconds_sum") };
}

/** Redis pub/sub in memory: what the test publishes reaches the stream's listener. */
function fakePubSub(registry: Registry) {
  const listeners = new Map<number, (event: EventEnvelope) => void>();
  let subscribed!: () => void;
  const listening = new Promise<void>((resolve) => (subscribed = resolve));
  const pubsub = {
    async subscribe(_channel: string, listener: (event: EventEnvelope) => void) {
      listeners.set(listeners.size + 1, listener);
      subscribed();
      return listeners.size;
    },
    unsubscribe: (id: number) => void listeners.delete(id),
  } as unknown as RedisPubSub;
  const publish = (e: EventEnvelope) => listeners.forEach((listener) => listener(e));
  const events: EventPubSub = {
    pubsub,
    channel: (type) => type,
    publish: async (_type, e) => publish(e),
    delivered: deliveryLatency(registry, () => T0),
    close: async () => undefined,
  };
  return { events, publish, listening };
}

describe("event delivery latency", () => {
  it("observes the seconds from occurredAt to now by type, 0 for a time ahead of this clock, nothing for an unreadable time", async () => {
    const registry = new Registry();
    const observe = deliveryLatency(registry, () => T0);
    observe(event("batch.created", 250));
    observe(event("batch.created", 1_500));
    observe(event("batch.created", -2_000));
    observe({ ...event("batch.created", 0), occurredAt: "yesterday" });
    expect(await observed(registry, "batch.created")).toEqual({ count: 3, sum: 1.75 });
    // A second observer of the same registry shares the histogram (two servers in one process).
    deliveryLatency(registry, () => T0)(event("batch.created", 250));
    expect(await observed(registry, "batch.created")).toEqual({ count: 4, sum: 2 });
  });

  it("is observed once per live event an eventStream hands over, not for replayed or filtered events", async () => {
    const registry = new Registry();
    const { events, publish, listening } = fakePubSub(registry);
    const replayed = event("batch.completed", 60_000, "00000000-0000-4000-8000-000000000001");
    const stream = eventStream(events, "batch.completed", {
      replay: async () => [replayed],
      accept: (e) => e.source === "production",
    });
    const first = stream.next();
    await listening;
    expect((await first).value).toEqual(replayed);
    const pending = stream.next();
    publish({ ...event("batch.completed", 100), source: "elsewhere" });
    publish(replayed); // delivered already by the replay
    const live = event("batch.completed", 400);
    publish(live);
    expect((await pending).value).toEqual(live);
    await stream.return!();
    expect(await observed(registry, "batch.completed")).toEqual({ count: 1, sum: 0.4 });
  });
});
