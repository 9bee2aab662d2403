import { read, type Env } from "../config.js";

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
