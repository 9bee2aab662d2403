import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateRedis, type PrivateRedis } from "../../test/faults/support/redisServer.js";
import { until } from "../../test/support/until.js";
import type { EventEnvelope } from "../events/envelope.js";
import { createLogger } from "../logger.js";
import { createEventPubSub, type EventPubSub } from "./redis.js";
import { eventStream } from "./stream.js";

const event = (id: string): EventEnvelope => ({
  id,
  type: "batch.created",
  occurredAt: new Date().toISOString(),
  source: "test",
  correlationId: null,
  data: {},
});

/** Redis's subscribers of `channel`, asked on a connection of its own. */
async function listeners(url: string, channel: string): Promise<number> {
  const client = new Redis(url);
  try {
    const [, count] = (await client.pubsub("NUMSUB", channel)) as [string, number];
    return Number(count);
  } finally {
    client.disconnect();
  }
}

describe("event pub/sub while Redis is away", () => {
  let redis: PrivateRedis;
  let events: EventPubSub;
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => void unhandled.push(reason);

  beforeAll(async () => {
    redis = await startPrivateRedis();
    events = createEventPubSub(redis.url, "pubsub-test:", createLogger("test", "silent"));
    process.on("unhandledRejection", record);
  });

  afterAll(async () => {
    process.off("unhandledRejection", record);
    await events?.close();
    await redis?.close();
  });

  it("lets a subscriber leave while Redis is down without a failed command, and the channel is left once Redis is back", async () => {
    const channel = events.channel("batch.created");
    const stream = eventStream(events, "batch.created");
    const first = stream.next();
    await until("the subscription is live", async () => (await listeners(redis.url, channel)) === 1);
    await events.publish("batch.created", event("e-1"));
    expect((await first).value).toMatchObject({ id: "e-1" });

    const subscriber = events.pubsub.getSubscriber();
    let reconnections = 0;
    subscriber.on("reconnecting", () => void (reconnections += 1));
    await redis.kill();
    await stream.return!();
    // A command queued while the connection is down is rejected after `maxRetriesPerRequest`
    // reconnection attempts; nobody awaits the library's UNSUBSCRIBE, so that rejection would be
    // unhandled, and an unhandled rejection ends a Node process.
    await until("five reconnection attempts", async () => reconnections >= 5);
    await redis.start();

    // The leave reaches Redis once it is back (not resubscribed on reconnection), and a new subscriber gets events.
    await until("the subscriber connection is back", async () => subscriber.status === "ready");
    // Answered after what the connection sent on reconnecting (its resubscriptions, the queued UNSUBSCRIBE).
    await subscriber.ping();
    expect(await listeners(redis.url, channel)).toBe(0);
    const next = eventStream(events, "batch.created");
    const pending = next.next();
    await until("the new subscription is live", async () => (await listeners(redis.url, channel)) === 1);
    await events.publish("batch.created", event("e-2"));
    expect((await pending).value).toMatchObject({ id: "e-2" });
    await next.return!();
    expect(unhandled).toEqual([]);
  });
});
