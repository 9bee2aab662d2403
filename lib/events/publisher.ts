import { SpanKind } from "@opentelemetry/api";
import type { ConfirmChannel, Options } from "amqplib";
import type { ChannelWrapper } from "amqp-connection-manager";
import type { Logger } from "../logger.js";
import { contextOf, currentTraceparent, inSpan } from "../telemetry/messageSpans.js";
import { assertEventsExchange, type Broker } from "./broker.js";
import type { EventEnvelope } from "./envelope.js";

/** Publishes envelopes to the events exchange, each confirmed by the broker. */
export interface EventPublisher {
  /** Whether a channel to the broker is open now. */
  readonly connected: boolean;
  /** Resolves once a channel is open (at once if it is), or when `signal` aborts. */
  waitForConnection(signal?: AbortSignal): Promise<void>;
  /**
   * Publishes one envelope with its `type` as routing key; resolves once the broker confirmed
   * it (it is then on disk for durable queues), rejects on a nack, a lost channel or the timeout.
   */
  publish(envelope: EventEnvelope): Promise<void>;
  close(): Promise<void>;
}

export interface PublisherOptions {
  exchange: string;
  logger: Logger;
  /** How long one publish may wait for its confirm, in ms. Default 5000. */
  publishTimeoutMs?: number;
}

/**
 * The AMQP properties of an event: persistent (delivery mode 2), JSON, and what consumers
 * need without parsing the body: `messageId` (the event id), `type`, `timestamp` (seconds),
 * `appId` (the source) and a `correlationId` header.
 */
export function messageProperties(envelope: EventEnvelope): Options.Publish {
  return {
    persistent: true,
    contentType: "application/json",
    messageId: envelope.id,
    type: envelope.type,
    timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
    appId: envelope.source,
    headers: { correlationId: envelope.correlationId, ...(envelope.traceparent ? { traceparent: currentTraceparent() ?? envelope.traceparent } : {}) },
  };
}

/**
 * A publisher on a confirm channel of `broker`. The channel declares the exchange each time
 * it is (re)created.
 */
export function createEventPublisher(broker: Broker, { exchange, logger, publishTimeoutMs = 5_000 }: PublisherOptions): EventPublisher {
  let connected = false;
  const channel: ChannelWrapper = broker.manager.createChannel({
    name: `publisher:${exchange}`,
    confirm: true,
    publishTimeout: publishTimeoutMs,
    setup: (ch: ConfirmChannel) => assertEventsExchange(ch, exchange),
  });
  channel.on("connect", () => void (connected = true));
  channel.on("error", (err: Error) => logger.error({ err, exchange }, "setting up the publishing channel failed"));
  broker.manager.on("disconnect", () => void (connected = false));

  return {
    get connected() {
      return connected;
    },
    waitForConnection(signal) {
      if (connected || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          channel.off("connect", done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        channel.on("connect", done);
        signal?.addEventListener("abort", done);
      });
    },
    publish: (envelope) =>
      // A PRODUCER span in the trace of the change that caused the event; its context travels in the message's headers.
      inSpan(
        `publish ${envelope.type}`,
        SpanKind.PRODUCER,
        contextOf(envelope.traceparent),
        { "messaging.destination.name": exchange, "messaging.message.id": envelope.id },
        () => send(envelope),
      ),
    close: () => channel.close(),
  };

  async function send(envelope: EventEnvelope): Promise<void> {
    const body = Buffer.from(JSON.stringify(envelope));
    try {
      await channel.publish(exchange, envelope.type, body, messageProperties(envelope));
    } catch (err) {
      // The broker closed the channel (an exchange deleted under it, say) while the connection
      // stays up: the library only makes a new channel on a new connection, so force one.
      if (broker.manager.isConnected()) {
        connected = false;
        broker.manager.reconnect();
      }
      throw err;
    }
  }
}
