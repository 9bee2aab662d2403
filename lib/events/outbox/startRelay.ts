import { connectBroker, type BrokerOptions } from "../broker.js";
import { createEventPublisher } from "../publisher.js";
import type { BackingServices, SubgraphConfig } from "../../config.js";
import type { Runtime } from "../../server/runtime.js";
import { OutboxRelay, type RelayOptions } from "./relayLoop.js";

export interface EventRelayOptions extends Pick<RelayOptions, "pollIntervalMs" | "chunkSize">, BrokerOptions {
  /** The subgraph's events exchange (`EVENTS_EXCHANGE` for production, `QA_EVENTS_EXCHANGE` for qa). */
  exchange: string;
  /** The PostgreSQL schema of the subgraph's outbox (`production`, `qa`). */
  schema: string;
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
export function startEventRelay(
  runtime: Runtime<SubgraphConfig & Pick<BackingServices, "amqpUrl">>,
  { exchange, schema, pollIntervalMs, chunkSize, ...brokerOptions }: EventRelayOptions,
): EventRelay {
  const { config, logger, metrics } = runtime;
  const relayLogger = logger.child({ component: "outbox-relay" });
  const broker = connectBroker(config.amqpUrl, relayLogger, brokerOptions);
  const publisher = createEventPublisher(broker, { exchange, logger: relayLogger });
  const relay = new OutboxRelay({ databaseUrl: config.databaseUrl, schema, publisher, logger: relayLogger, metrics, pollIntervalMs, chunkSize });
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
