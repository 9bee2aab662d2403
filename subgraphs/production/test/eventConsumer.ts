import { randomBytes } from "node:crypto";
import amqp, { type ConsumeMessage } from "amqplib";
import { readBackingServices } from "../../../lib/config.js";
import { assertEventsExchange } from "../../../lib/events/broker.js";

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
  const messages: ConsumeMessage[] = [];
  const waiters = new Set<() => void>();
  await channel.consume(queue, (message) => {
    if (!message) return;
    messages.push(message);
    channel.ack(message);
    for (const check of waiters) check();
  });
  return {
    exchange,
    messages,
    waitFor(count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(messages.slice(0, count));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} messages on ${exchange}, got ${messages.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      await channel.deleteQueue(queue);
      await channel.deleteExchange(exchange);
      await connection.close();
    },
  };
}
