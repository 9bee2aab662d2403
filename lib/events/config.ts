import { read, readInt, type Env } from "../config.js";
import { DEFAULT_EVENT_LIMITS, type EventLimits } from "./parse.js";

/** The exchange the production events travel on, the name other systems publish to. */
export const DEFAULT_EVENTS_EXCHANGE = "production.events";

/** Settings of the event bus (the broker URL itself is `AMQP_URL`, in `lib/config.ts`). */
export interface EventsConfig {
  /** `EVENTS_EXCHANGE`, the durable topic exchange, default `production.events`. Tests use one of their own. */
  exchange: string;
}

export function readEventsConfig(env: Env = process.env): EventsConfig {
  return { exchange: read(env, "EVENTS_EXCHANGE", DEFAULT_EVENTS_EXCHANGE) };
}

/** How a consumer bounds what it accepts and how often it retries (see `consumer.ts`). */
export interface ConsumerSettings {
  /** `EVENTS_MAX_BYTES` (default 65536) and `EVENTS_MAX_DEPTH` (default 32): larger or deeper messages are dead-lettered at once. */
  limits: EventLimits;
  /** `EVENTS_MAX_ATTEMPTS`, default 5: handling attempts of one message before it is dead-lettered. */
  maxAttempts: number;
  /** `EVENTS_RETRY_DELAY_MS`, default 1000: wait before the first retry; it doubles with each, up to 30 s. */
  retryDelayMs: number;
}

export function readConsumerSettings(env: Env = process.env): ConsumerSettings {
  return {
    limits: {
      maxBytes: readInt(env, "EVENTS_MAX_BYTES", DEFAULT_EVENT_LIMITS.maxBytes, 1_024, 16 * 1_048_576),
      maxDepth: readInt(env, "EVENTS_MAX_DEPTH", DEFAULT_EVENT_LIMITS.maxDepth, 2, 1_000),
    },
    maxAttempts: readInt(env, "EVENTS_MAX_ATTEMPTS", 5, 1, 100),
    retryDelayMs: readInt(env, "EVENTS_RETRY_DELAY_MS", 1_000, 0, 600_000),
  };
}
