import type { Repeater } from "@repeaterjs/repeater";
import { apiError } from "../errors.js";
import type { EventEnvelope } from "../events/envelope.js";
import type { Logger } from "../logger.js";
import type { DeliveryObserver } from "./deliveryLatency.js";
import { RecentIds } from "./dedupe.js";
import type { EventPubSub } from "./redis.js";
import { subscriberStream } from "./subscriberStream.js";

export interface StreamOptions<TEvent extends EventEnvelope> {
  /** Keeps only the events this returns true for (the subscription's filters). Default: all. */
  accept?: (event: TEvent) => boolean;
  /** Events missed before the live ones, in order (`after`); called once live is listening. */
  replay?: () => Promise<TEvent[]>;
  /**
   * The subscriber's logger: each delivery is logged at `debug` with the event's
   * `correlationId`, the request id of the call that caused it.
   */
  logger?: Logger;
}

/**
 * The events of one type published on Redis, for one subscriber, each id once. Live delivery
 * starts (Redis SUBSCRIBE acknowledged) before the replay is read, and live events are buffered
 * meanwhile (`subscriberStream`, bounded): nothing committed in between is lost, and what both
 * deliver is sent once. A subscriber more than `SUBSCRIBER_BUFFER` events behind gets
 * `SERVICE_UNAVAILABLE` and subscribes again with `after`.
 *
 * Each live event handed over is measured by `events.delivered` (`event_delivery_latency_seconds`).
 *
 * `return()` (the subscriber left, its socket closed) ends the stream at once. An async
 * generator alone would not: waiting for the next event, it handles `return()` only at its
 * next `yield`, which on a quiet channel or behind a filter may never come, leaving the Redis
 * listener behind and graphql-ws waiting to close the connection.
 */
export function eventStream<TEvent extends EventEnvelope>(
  events: EventPubSub,
  type: string,
  options: StreamOptions<TEvent> = {},
): AsyncIterableIterator<TEvent> {
  let listening!: () => void;
  const subscribed = new Promise<void>((resolve) => (listening = resolve));
  const live = subscriberStream<TEvent>(
    async (feed) => {
      const subscription = await events.pubsub.subscribe(events.channel(type), (event: TEvent) => feed.push(event));
      listening();
      return () => events.pubsub.unsubscribe(subscription);
    },
    { overflow: (n) => apiError("SERVICE_UNAVAILABLE", `More than ${n} events waited unread: subscribe again with \`after\` to resume`) },
  );
  const stream = deliver(live, subscribed, events.delivered, options);
  return {
    next: () => stream.next(),
    async return() {
      await live.return(undefined);
      return stream.return(undefined);
    },
    async throw(err?: unknown) {
      await live.return(undefined);
      return stream.throw(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* deliver<TEvent extends EventEnvelope>(
  live: Repeater<TEvent>,
  subscribed: Promise<void>,
  delivered: DeliveryObserver | undefined,
  { accept = () => true, replay, logger }: StreamOptions<TEvent>,
): AsyncGenerator<TEvent> {
  // The first pull starts listening; its value is the first live event, awaited after the replay.
  const first = live.next();
  // SUBSCRIBE acknowledged, or the subscriber already left (`first` is then done).
  if ((await Promise.race([subscribed.then(() => false), first.then((result) => result.done === true)])) === true) return;
  const seen = new RecentIds();
  const wanted = (event: TEvent) => {
    if (!accept(event) || !seen.firstTime(event.id)) return false;
    logger?.debug({ eventId: event.id, type: event.type, correlationId: event.correlationId }, "subscription event delivered");
    return true;
  };
  try {
    if (replay) for (const event of await replay()) if (wanted(event)) yield event;
    for (let next = await first; !next.done; next = await live.next()) {
      if (!wanted(next.value)) continue;
      // Measured as the subscriber takes it: replayed events above are old on purpose.
      delivered?.(next.value);
      yield next.value;
    }
  } finally {
    await live.return(undefined);
  }
}
