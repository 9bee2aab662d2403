import amqp from "amqplib";
import { readBackingServices } from "#lib/config.js";

/** RabbitMQ objects a run declared under names of its own. */
export interface BrokerObjects {
  /** The events exchange (`EVENTS_EXCHANGE`). */
  exchange?: string;
  /** The subscription queue (`SUBSCRIPTIONS_QUEUE`); its dead-letter queue `<queue>.dlq` goes with it. */
  queue?: string;
}

/** Deletes the given objects from RabbitMQ (default: `AMQP_URL`), the queues before the exchange. */
export async function deleteBrokerObjects({ exchange, queue }: BrokerObjects, amqpUrl = readBackingServices().amqpUrl): Promise<void> {
  if (exchange === undefined && queue === undefined) return;
  const connection = await amqp.connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    if (queue !== undefined) for (const name of [queue, `${queue}.dlq`]) await channel.deleteQueue(name);
    if (exchange !== undefined) await channel.deleteExchange(exchange);
  } finally {
    await connection.close();
  }
}
