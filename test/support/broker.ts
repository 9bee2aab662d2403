import amqp from "amqplib";
import { readBackingServices } from "#lib/config.js";

/** RabbitMQ objects a run declared under names of its own. */
export interface BrokerObjects {
  /** The events exchange (`EVENTS_EXCHANGE`). */
  exchange?: string;
  /** The subscription queue (`SUBSCRIPTIONS_QUEUE`); its dead-letter queue `<queue>.dlq` goes with it. */
  queue?: string;
  /** The QA events exchange (`QA_EVENTS_EXCHANGE`). */
  qaExchange?: string;
  /** The QA decisions queue (`QA_DECISIONS_QUEUE`), with its `<queue>.dlq`. */
  qaQueue?: string;
  /** The QA subscription queue (`QA_SUBSCRIPTIONS_QUEUE`), with its `<queue>.dlq`. */
  qaSubscriptionsQueue?: string;
}

/** Deletes the given objects from RabbitMQ (default: `AMQP_URL`), the queues before the exchange. */
export async function deleteBrokerObjects(
  { exchange, queue, qaExchange, qaQueue, qaSubscriptionsQueue }: BrokerObjects,
  amqpUrl = readBackingServices().amqpUrl,
): Promise<void> {
  const queues = [queue, qaQueue, qaSubscriptionsQueue].filter((name) => name !== undefined);
  const exchanges = [exchange, qaExchange].filter((name) => name !== undefined);
  if (queues.length === 0 && exchanges.length === 0) return;
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const name of queues.flatMap((q) => [q, `${q}.dlq`])) await channel.deleteQueue(name);
    for (const name of exchanges) await channel.deleteExchange(name);
  } finally {
    await connection.close();
  }
}
