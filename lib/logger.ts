import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs, one line per event, tagged with the service name. `level` is the
 * service's `LOG_LEVEL` (default `info`; `silent` turns logging off).
 */
export function createLogger(service: string, level = "info"): Logger {
  return pino({ name: service, level, base: { service } });
}
