import { setTimeout as delay } from "node:timers/promises";
import amqp, { type AmqpConnectionManager } from "amqp-connection-manager";
import type { Channel } from "amqplib";
import type { Logger } from "../logger.js";
import { addressOf, UnreachableError } from "../preflight.js";

export interface BrokerOptions {
  /** Wait before the second attempt after a loss, in ms; it doubles with each failure. Default 250. */
  minReconnectDelayMs?: number;
  /** Longest wait between two attempts, in ms. Default 5000. */
  maxReconnectDelayMs?: number;
  /** AMQP heartbeat in seconds: how soon a silent broker counts as gone. Default 5. */
  heartbeatSeconds?: number;
}

/** A RabbitMQ connection that comes back by itself, and its clean shutdown. */
export interface Broker {
  /** amqp-connection-manager: channels made from it are re-created, set up again, on every reconnect. */
  manager: AmqpConnectionManager;
  close(): Promise<void>;
}

/**
 * Connects to RabbitMQ and keeps reconnecting whenever the connection is lost or cannot be made,
 * without ever failing the process: work that needs the broker waits for it instead.
 *
 * amqp-connection-manager retries at a fixed interval; the wait before each attempt is added
 * here through its `findServers` hook, so that it grows exponentially (with jitter, so that
 * instances do not retry in step) up to a cap, and starts over after a success.
 */
export function connectBroker(url: string, logger: Logger, options: BrokerOptions = {}): Broker {
  const { minReconnectDelayMs = 250, maxReconnectDelayMs = 5_000, heartbeatSeconds = 5 } = options;
  const closing = new AbortController();
  const address = addressOf(url);
  let failures = 0;
  let attempts = 0;

  const manager = amqp.connect(null, {
    heartbeatIntervalInSeconds: heartbeatSeconds,
    // The library's own wait after a failure; the real, growing one is in findServers.
    reconnectTimeInSeconds: 0.01,
    connectionOptions: { timeout: 5_000 },
    findServers: async () => {
      const wait = attempts === 0 ? 0 : Math.min(maxReconnectDelayMs, minReconnectDelayMs * 2 ** (attempts - 1));
      attempts += 1;
      if (wait > 0) await delay(wait * (0.8 + 0.4 * Math.random()), undefined, { signal: closing.signal }).catch(() => undefined);
      return url;
    },
  });

  manager.on("connect", () => {
    attempts = 0;
    failures = 0;
    logger.info({ broker: address }, "connected to RabbitMQ");
  });
  manager.on("disconnect", ({ err }) => logger.warn({ broker: address, err }, "lost the RabbitMQ connection, reconnecting"));
  manager.on("connectFailed", ({ err }) => {
    failures += 1;
    // The first failure says what to do; the retries after it would only repeat it.
    if (failures === 1) logger.warn(new UnreachableError("RabbitMQ", address, err).message);
    else logger.debug({ broker: address, failures, err }, "RabbitMQ still unreachable");
  });
  manager.on("blocked", ({ reason }) => logger.warn({ broker: address, reason }, "RabbitMQ blocks publishing"));

  return {
    manager,
    async close() {
      closing.abort();
      await manager.close();
    },
  };
}

/**
 * Declares the events exchange: a durable topic exchange, so that it and the queues bound to
 * it outlive a broker restart. Publishers and consumers both declare it, with the same arguments.
 */
export async function assertEventsExchange(channel: Channel, exchange: string): Promise<void> {
  await channel.assertExchange(exchange, "topic", { durable: true });
}
