import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs, one line per event, tagged with the service name. `LOG_LEVEL` sets
 * the level (default `info`; `silent` turns logging off).
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL || "info"): Logger {
  return pino({ name: service, level, base: { service } });
}
