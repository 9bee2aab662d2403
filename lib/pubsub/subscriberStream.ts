import { FixedBuffer, Repeater } from "@repeaterjs/repeater";

/**
 * Values one subscriber may leave unread (events, results) before its stream is ended: a client
 * that far behind is not reading, and holding more for it would grow without bound. It
 * subscribes again (with `after`, missing nothing).
 */
export const SUBSCRIBER_BUFFER = 1_024;

/** What a source hands a subscriber's values to. */
export interface Feed<T> {
  /** Hands a value to the subscriber, buffered until it pulls; ignored once the stream ended. */
  push(value: T): void;
  /** Ends the stream once the values already pushed are pulled. */
  close(): void;
}

export interface SubscriberStreamOptions {
  /** Default {@link SUBSCRIBER_BUFFER}. */
  capacity?: number;
  /** The error the stream ends with when `capacity` values wait unread (after them). */
  overflow(capacity: number): Error;
}

/**
 * One subscriber's values as a Repeater with a bounded buffer. `listen` runs when the subscriber
 * first pulls (nothing is set up for one that never does) and returns what to do once it is
 * gone: when it stops pulling (`return()`, its socket closed), at once, even while it waits
 * for a value; or when the source closes the feed. Overflow policy: the stream ends with
 * `overflow` after the values it holds, rather than dropping any silently.
 */
export function subscriberStream<T>(
  listen: (feed: Feed<T>) => (() => void) | Promise<() => void>,
  { capacity = SUBSCRIBER_BUFFER, overflow }: SubscriberStreamOptions,
): Repeater<T> {
  const buffer = new FixedBuffer(capacity);
  return new Repeater<T>(async (push, stop) => {
    const feed: Feed<T> = {
      push(value) {
        if (buffer.full) stop(overflow(capacity));
        else void push(value);
      },
      close: () => stop(),
    };
    const leave = await listen(feed);
    await stop;
    leave();
  }, buffer);
}
