/**
 * Why a message was dead-lettered: a fixed list, so that the `reason` label of
 * `events_dead_lettered_total` and the `x-dead-letter-reason` header take a bounded set of
 * values whatever a publisher sends. A consumer's handler may add reasons of its own domain
 * (`ConsumerOptions.reasons`); the details, free text, go to the `x-dead-letter-detail` header
 * and the log only.
 */
export const DEAD_LETTER_REASONS = [
  /** The body is larger than the consumer accepts. */
  "too_large",
  /** The JSON nests deeper than the consumer accepts. */
  "too_deep",
  "not_json",
  "not_an_object",
  /** A field is missing, of the wrong type or too long. */
  "invalid",
  /** Handling failed on every attempt (or the message kept coming back unacknowledged). */
  "retries_exhausted",
] as const;

export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** AMQP headers the consumer writes. */
export const EventHeaders = {
  /** On a dead letter: one of the reasons, never free text. */
  reason: "x-dead-letter-reason",
  /** On a dead letter: what exactly was wrong, at most {@link MAX_DETAIL} characters. */
  detail: "x-dead-letter-detail",
  /** How many times handling the message failed so far (on a message put back for a retry, and on a dead letter). */
  attempts: "x-attempts",
  /** The routing key the message was first published with (a retry or dead letter travels under the queue's name). */
  routingKey: "x-original-routing-key",
} as const;

/** Longest `x-dead-letter-detail`, in characters. */
export const MAX_DETAIL = 500;

/**
 * A message that can never be handled, whatever the retries: it goes to the dead-letter queue
 * at once, with `reason` in its headers and `message` as the detail.
 */
export class UnhandleableEventError extends Error {
  override name = "UnhandleableEventError";

  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(detail);
  }
}
