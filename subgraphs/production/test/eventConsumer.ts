import { randomBytes } from "node:crypto";
import amqp, { type ConsumeMessage } from "amqplib";
import { readBackingServices } from "#lib/config.js";
import { assertEventsExchange } from "#lib/events/broker.js";
import { Collector } from "../../../test/support/collector.js";

/** A queue bound to an exchange of the test's own, collecting every message it gets. */
export interface TestConsumer {
  exchange: string;
  messages: ConsumeMessage[];
  /** Resolves once `count` messages arrived; rejects after `timeoutMs` saying how many did. */
  waitFor(count: number, timeoutMs?: number): Promise<ConsumeMessage[]>;
  /** Deletes the queue and the exchange and disconnects. */
  close(): Promise<void>;
}

/** A name of this run only, for an exchange or a queue. */
export const runName = (what: string) => `${what}.test-${process.pid}-${randomBytes(4).toString("hex")}`;

/**
 * Declares a new events exchange (as the relay does) and consumes everything published to it
 * (`#`), straight from RabbitMQ, like another system would.
 */
export async function startTestConsumer(exchange = runName("production.events")): Promise<TestConsumer> {
  const connection = await amqp.connect(readBackingServices().amqpUrl);
  const channel = await connection.createChannel();
  await assertEventsExchange(channel, exchange);
  const { queue } = await channel.assertQueue(runName("consumer"), { exclusive: true, autoDelete: true });
  await channel.bindQueue(queue, exchange, "#");
  const messages = new Collector<ConsumeMessage>(`messages on ${exchange}`);
  await channel.consume(queue, (message) => {
    if (!message) return;
    messages.push(message);
    channel.ack(message);
  });
  return {
    exchange,
    messages: messages.items,
    waitFor: (count, timeoutMs) => messages.waitFor(count, timeoutMs),
    async close() {
      await channel.deleteQueue(queue);
      await channel.deleteExchange(exchange);
      await connection.close();
    },
  };
}
