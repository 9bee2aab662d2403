import type { EventEnvelope } from "../events/envelope.js";
import type { Logger } from "../logger.js";
import { RecentIds } from "./dedupe.js";
import { PushQueue } from "./queue.js";
import type { EventPubSub } from "./redis.js";

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
 * meanwhile: nothing committed in between is lost, and what both deliver is sent once.
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
  let subscription: number | undefined;
  const live = new PushQueue<TEvent>(() => {
    if (subscription !== undefined) events.pubsub.unsubscribe(subscription);
  });
  const stream = deliver(live, options, async () => {
    subscription = await events.pubsub.subscribe(events.channel(type), (event: TEvent) => live.push(event));
    // Left while SUBSCRIBE was on its way: nothing will unsubscribe it later.
    if (live.closed) events.pubsub.unsubscribe(subscription);
  });
  return {
    next: () => stream.next(),
    async return() {
      live.close();
      return stream.return(undefined);
    },
    async throw(err?: unknown) {
      live.close();
      return stream.throw(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

async function* deliver<TEvent extends EventEnvelope>(
  live: PushQueue<TEvent>,
  { accept = () => true, replay, logger }: StreamOptions<TEvent>,
  listen: () => Promise<void>,
): AsyncGenerator<TEvent> {
  await listen();
  if (live.closed) return;
  const seen = new RecentIds();
  const wanted = (event: TEvent) => {
    if (!accept(event) || !seen.firstTime(event.id)) return false;
    logger?.debug({ eventId: event.id, type: event.type, correlationId: event.correlationId }, "subscription event delivered");
    return true;
  };
  try {
    if (replay) for (const event of await replay()) if (wanted(event)) yield event;
    for await (const event of live) if (wanted(event)) yield event;
  } finally {
    live.close();
  }
}
