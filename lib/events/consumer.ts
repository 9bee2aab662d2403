import { SpanKind } from "@opentelemetry/api";
import type { Channel, ConfirmChannel, ConsumeMessage, Options } from "amqplib";
import { Counter, type Registry } from "prom-client";
import type { Logger } from "../logger.js";
import { contextOf, inSpan } from "../telemetry/messageSpans.js";
import { registered } from "../server/operationMetrics.js";
import { assertEventsExchange, type Broker } from "./broker.js";
import { DEAD_LETTER_REASONS, EventHeaders, MAX_DETAIL, UnhandleableEventError, type DeadLetterReason } from "./deadLetter.js";
import type { EventEnvelope } from "./envelope.js";
import { DEFAULT_EVENT_LIMITS, parseEvent, type EventLimits } from "./parse.js";

export interface ConsumerOptions {
  exchange: string;
  /** The durable queue, shared by every instance (competing consumers). */
  queue: string;
  /** Binding patterns on the exchange, for example `["batch.#"]`. */
  bindings: string[];
  /** Unacknowledged messages per instance at most. Default 50. */
  prefetch?: number;
  /** Largest and deepest message accepted. Default 64 KiB and 32 levels. */
  limits?: EventLimits;
  /** Handling attempts of one message before it is dead-lettered as `retries_exhausted`. Default 5. */
  maxAttempts?: number;
  /** Wait before the first retry of a failed message, in ms; it doubles with each retry. Default 1000. */
  retryDelayMs?: number;
  /** Longest wait before a retry, in ms. Default 30000. */
  maxRetryDelayMs?: number;
  /** Reasons of the handler's own {@link UnhandleableEventError}s, besides {@link DEAD_LETTER_REASONS}. */
  reasons?: readonly string[];
  logger: Logger;
  metrics: Registry;
  /**
   * First part of the names of the consumer's metrics (`<prefix>_consumed_total`,
   * `<prefix>_retried_total`, `<prefix>_dead_lettered_total{reason}`), so that consumers of
   * different queues on one registry count apart. Default `events`.
   */
  metricsPrefix?: string;
  /**
   * Handles one event; the message is acknowledged once it resolves. Throwing
   * {@link UnhandleableEventError} dead-letters the message at once; any other error is retried
   * with backoff, up to `maxAttempts`.
   */
  handle(event: EventEnvelope<Record<string, unknown>>): Promise<void>;
}

/** A running consumer. */
export interface EventConsumer {
  /** The dead-letter queue: `<queue>.dlq`. */
  deadLetterQueue: string;
  close(): Promise<void>;
}

type Headers = Record<string, unknown>;

/** Failed attempts so far, from the header this consumer writes (anything else counts as none). */
function attemptsOf(headers: Headers): number {
  const value = Number(headers[EventHeaders.attempts]);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/**
 * The properties of a message to publish it again: the same body, id, type, time and headers.
 * `userId` is left out: the broker only accepts the publishing connection's own user there.
 */
function republished(message: ConsumeMessage, headers: Headers): Options.Publish {
  const { userId: _userId, headers: _headers, deliveryMode, ...properties } = message.properties;
  const defined = Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined));
  return { ...defined, persistent: deliveryMode === 2, headers };
}

/**
 * Consumes events from a durable queue bound to the events exchange, with manual acks and a
 * bounded prefetch, and never lets one message hold the queue:
 *
 * - A message larger or deeper than `limits`, or that can never be handled
 *   ({@link UnhandleableEventError}), is dead-lettered at once.
 * - A message whose handling failed otherwise (Redis away, say) is published to the queue again
 *   after a growing wait, with its attempt count in the `x-attempts` header, and the original
 *   acknowledged. RabbitMQ's classic queues count no deliveries, and a queue cannot be
 *   declared again with other arguments (a quorum queue's `x-delivery-limit`) where it exists:
 *   the count travels with the message instead. A message that comes back unacknowledged (its
 *   consumer died on it) counts as a failed attempt too.
 * - After `maxAttempts` failed attempts it is dead-lettered as `retries_exhausted`.
 *
 * A dead letter is published to `<queue>.dlq` with the reason (`x-dead-letter-reason`, one of a
 * fixed list), the detail and the original routing key in its headers, confirmed before the
 * original is acknowledged, and counted in `events_dead_lettered_total{reason}`.
 */
export function startEventConsumer(broker: Broker, options: ConsumerOptions): EventConsumer {
  const { exchange, queue, bindings, prefetch = 50, limits = DEFAULT_EVENT_LIMITS, logger } = options;
  const { maxAttempts = 5, retryDelayMs = 1_000, maxRetryDelayMs = 30_000 } = options;
  const deadLetterQueue = `${queue}.dlq`;
  const reasons = new Set<string>([...DEAD_LETTER_REASONS, ...(options.reasons ?? [])]);
  const { metrics, metricsPrefix = "events" } = options;
  const counter = (suffix: string, help: string, labelNames: string[] = []) =>
    registered(metrics, `${metricsPrefix}_${suffix}`, () => new Counter({ name: `${metricsPrefix}_${suffix}`, help, labelNames, registers: [metrics] }));
  const deadLettered = counter("dead_lettered_total", "Events moved to the dead-letter queue, by reason", ["reason"]);
  // Every reason is listed from the start, at 0: an alert can watch each one.
  for (const reason of reasons) deadLettered.inc({ reason }, 0);
  const retried = counter("retried_total", "Events put back on the queue after a failed attempt");
  const consumed = counter("consumed_total", "Events handled and acknowledged");
  const timers = new Set<NodeJS.Timeout>();
  // The channel messages arrive on now: a delivery tag means something on its own channel only.
  let current: Channel | undefined;

  const channel = broker.manager.createChannel({
    name: `consumer:${queue}`,
    confirm: true,
    setup: async (ch: ConfirmChannel) => {
      current = ch;
      await assertEventsExchange(ch, exchange);
      await ch.assertQueue(deadLetterQueue, { durable: true });
      // The arguments of the queue as first declared, kept so that existing queues still match;
      // the broker's own dead-lettering is only a fallback now.
      await ch.assertQueue(queue, {
        durable: true,
        arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": deadLetterQueue },
      });
      for (const pattern of bindings) await ch.bindQueue(queue, exchange, pattern);
      await ch.prefetch(prefetch);
    },
  });
  channel.on("error", (err: Error) => logger.error({ err, queue }, "setting up the consumer channel failed"));

  /** Settles a message on the channel it came on; on a newer channel the broker has requeued it already. */
  const settle = (ch: Channel | undefined, message: ConsumeMessage, ack: boolean) => {
    if (ch === undefined || ch !== current) return;
    try {
      if (ack) ch.ack(message);
      else ch.nack(message, false, true);
    } catch (err) {
      logger.debug({ err }, "the channel closed before a message was settled; the broker redelivers it");
    }
  };

  /** Publishes a copy (confirmed), then acknowledges the original; on failure the original goes back to the queue. */
  const moveTo = async (ch: Channel | undefined, message: ConsumeMessage, target: string, headers: Headers) => {
    try {
      await channel.sendToQueue(target, message.content, republished(message, headers));
      settle(ch, message, true);
      return true;
    } catch (err) {
      logger.error({ err, queue: target }, "could not publish a message again; it goes back to the queue");
      settle(ch, message, false);
      return false;
    }
  };

  const deadLetter = async (ch: Channel | undefined, message: ConsumeMessage, headers: Headers, reason: string, detail: string) => {
    const label: DeadLetterReason | string = reasons.has(reason) ? reason : "invalid";
    const routingKey = headers[EventHeaders.routingKey] ?? message.fields.routingKey;
    logger.warn({ reason: label, detail, routingKey, messageId: message.properties.messageId }, "dead-lettering an event");
    const moved = await moveTo(ch, message, deadLetterQueue, {
      ...headers,
      [EventHeaders.reason]: label,
      [EventHeaders.detail]: detail.slice(0, MAX_DETAIL),
      [EventHeaders.routingKey]: routingKey,
    });
    if (moved) deadLettered.inc({ reason: label });
  };

  /**
   * Counts a failed attempt: the message goes back to the queue after a wait that doubles with
   * each attempt (none with `now`), or to the dead letters once the attempts are used up.
   */
  const retry = (ch: Channel | undefined, message: ConsumeMessage, headers: Headers, attempts: number, detail: string, now = false) => {
    if (attempts >= maxAttempts) return deadLetter(ch, message, { ...headers, [EventHeaders.attempts]: attempts }, "retries_exhausted", detail);
    const wait = now ? 0 : Math.min(maxRetryDelayMs, retryDelayMs * 2 ** (attempts - 1));
    const timer = setTimeout(() => {
      timers.delete(timer);
      retried.inc();
      void moveTo(ch, message, queue, {
        ...headers,
        [EventHeaders.attempts]: attempts,
        [EventHeaders.routingKey]: headers[EventHeaders.routingKey] ?? message.fields.routingKey,
      });
    }, wait);
    timers.add(timer);
  };

  const onMessage = async (message: ConsumeMessage) => {
    const ch = current;
    const headers: Headers = { ...(message.properties.headers ?? {}) };
    const attempts = attemptsOf(headers);
    // Delivered before and never settled: its consumer stopped or died on it. Counted, and put
    // back at once without handling it, so that a message that kills its consumer cannot loop
    // forever (one that was merely in flight during a restart comes back straight away).
    if (message.fields.redelivered) return retry(ch, message, headers, attempts + 1, "redelivered unacknowledged", true);
    const routingKey = typeof headers[EventHeaders.routingKey] === "string" ? (headers[EventHeaders.routingKey] as string) : message.fields.routingKey;
    try {
      // A CONSUMER span in the trace of the change that caused the event (its `traceparent` header), when traced.
      await inSpan(
        `process ${routingKey}`,
        SpanKind.CONSUMER,
        contextOf(headers.traceparent),
        { "messaging.destination.name": queue, "messaging.message.id": String(message.properties.messageId ?? "") },
        () => options.handle(parseEvent({ ...message, fields: { ...message.fields, routingKey } }, limits)),
      );
      settle(ch, message, true);
      consumed.inc();
    } catch (err) {
      if (err instanceof UnhandleableEventError) return deadLetter(ch, message, headers, err.reason, err.message);
      logger.warn({ err, routingKey, attempt: attempts + 1, maxAttempts }, "handling an event failed");
      return retry(ch, message, headers, attempts + 1, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
  };
  void channel.consume(queue, (message) => void onMessage(message)).catch((err: Error) => logger.error({ err, queue }, "consuming failed"));

  return {
    deadLetterQueue,
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await channel.close();
    },
  };
}
