import { connectBroker, type BrokerOptions } from "#lib/events/broker.js";
import { createEventPublisher } from "#lib/events/publisher.js";
import type { ProductionConfig } from "#lib/config.js";
import type { Runtime } from "#lib/server/runtime.js";
import { OutboxRelay, type RelayOptions } from "./relayLoop.js";

export interface EventRelayOptions extends Pick<RelayOptions, "pollIntervalMs" | "chunkSize">, BrokerOptions {
  /** The events exchange (`EVENTS_EXCHANGE`). */
  exchange: string;
}

/** A running outbox relay with its broker connection. */
export interface EventRelay {
  relay: OutboxRelay;
  /** Stops the relay, then closes its channel and connection. */
  stop(): Promise<void>;
}

/**
 * Starts relaying this database's outbox to the broker at `AMQP_URL`. It never blocks the
 * service: without a broker, it reconnects in the background and the outbox fills meanwhile.
 */
export function startEventRelay(runtime: Runtime<ProductionConfig>, { exchange, pollIntervalMs, chunkSize, ...brokerOptions }: EventRelayOptions): EventRelay {
  const { config, logger, metrics } = runtime;
  const relayLogger = logger.child({ component: "outbox-relay" });
  const broker = connectBroker(config.amqpUrl, relayLogger, brokerOptions);
  const publisher = createEventPublisher(broker, { exchange, logger: relayLogger });
  const relay = new OutboxRelay({ databaseUrl: config.databaseUrl, publisher, logger: relayLogger, metrics, pollIntervalMs, chunkSize });
  relay.start();
  return {
    relay,
    async stop() {
      await relay.stop();
      await publisher.close();
      await broker.close();
    },
  };
}
