import type { ConsumeMessage } from "amqplib";
import type { Channel } from "amqplib";
import { Counter, type Registry } from "prom-client";
import type { Logger } from "../logger.js";
import { assertEventsExchange, type Broker } from "./broker.js";
import type { EventEnvelope } from "./envelope.js";
import { parseEvent, UnhandleableEventError } from "./parse.js";

export interface ConsumerOptions {
  exchange: string;
  /** The durable queue, shared by every instance (competing consumers). */
  queue: string;
  /** Binding patterns on the exchange, for example `["batch.#"]`. */
  bindings: string[];
  /** Unacknowledged messages per instance at most. Default 50. */
  prefetch?: number;
  /** Wait before a message whose handling failed (Redis away, say) is redelivered, in ms. Default 1000. */
  retryDelayMs?: number;
  logger: Logger;
  metrics: Registry;
  /**
   * Handles one event; the message is acknowledged once it resolves. Throwing
   * {@link UnhandleableEventError} dead-letters the message; any other error redelivers it.
   */
  handle(event: EventEnvelope<Record<string, unknown>>): Promise<void>;
}

/** A running consumer. */
export interface EventConsumer {
  /** The dead-letter queue: `<queue>.dlq`. */
  deadLetterQueue: string;
  close(): Promise<void>;
}

/**
 * Consumes events from a durable queue bound to the events exchange, with manual acks and a
 * bounded prefetch. A message that cannot be parsed or handled is rejected without requeue:
 * the queue's dead-letter settings route it to `<queue>.dlq`, where it stays visible, and
 * `events_dead_lettered_total` counts it.
 */
export function startEventConsumer(broker: Broker, options: ConsumerOptions): EventConsumer {
  const { exchange, queue, bindings, prefetch = 50, retryDelayMs = 1_000, logger } = options;
  const deadLetterQueue = `${queue}.dlq`;
  const deadLettered = new Counter({
    name: "events_dead_lettered_total",
    help: "Events moved to the dead-letter queue, by reason",
    labelNames: ["reason"],
    registers: [options.metrics],
  });
  const consumed = new Counter({ name: "events_consumed_total", help: "Events handed to pub/sub", registers: [options.metrics] });
  const timers = new Set<NodeJS.Timeout>();

  const channel = broker.manager.createChannel({
    name: `consumer:${queue}`,
    setup: async (ch: Channel) => {
      await assertEventsExchange(ch, exchange);
      await ch.assertQueue(deadLetterQueue, { durable: true });
      await ch.assertQueue(queue, {
        durable: true,
        arguments: { "x-dead-letter-exchange": "", "x-dead-letter-routing-key": deadLetterQueue },
      });
      for (const pattern of bindings) await ch.bindQueue(queue, exchange, pattern);
      await ch.prefetch(prefetch);
    },
  });
  channel.on("error", (err: Error) => logger.error({ err, queue }, "setting up the consumer channel failed"));

  const onMessage = async (message: ConsumeMessage) => {
    try {
      await options.handle(parseEvent(message));
      channel.ack(message);
      consumed.inc();
    } catch (err) {
      if (err instanceof UnhandleableEventError) {
        logger.warn({ reason: err.message, routingKey: message.fields.routingKey }, "dead-lettering an event");
        deadLettered.inc({ reason: err.message });
        channel.nack(message, false, false);
        return;
      }
      logger.warn({ err, routingKey: message.fields.routingKey }, "handling an event failed, redelivering it");
      const timer = setTimeout(() => {
        timers.delete(timer);
        channel.nack(message, false, true);
      }, retryDelayMs);
      timers.add(timer);
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
