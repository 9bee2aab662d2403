import type { TracingSettings } from "../config.js";
import type { Logger } from "../logger.js";
import type { TraceProvider } from "./provider.js";

/** A service's traces, once started. */
export interface Tracing {
  /** Sends what is still buffered (tests call it before reading the receiver). */
  flush(): Promise<void>;
  /** Flushes and stops exporting. */
  close(): Promise<void>;
}

const OFF: Tracing = { flush: async () => undefined, close: async () => undefined };

let started: { provider: Promise<TraceProvider>; users: number } | undefined;

/**
 * Starts OpenTelemetry tracing for this process when `OTEL_EXPORTER_OTLP_ENDPOINT` is set
 * (`registerTraceProvider`), and does nothing otherwise: the SDK is not loaded,
 * `@opentelemetry/api` stays a no-op, and the request pipeline adds no tracing step. One
 * provider per process: services started in one process (tests) share the first one's, and it
 * stops with the last.
 */
export async function startTracing(settings: TracingSettings, logger: Logger): Promise<Tracing> {
  const { endpoint } = settings;
  if (!endpoint) return OFF;
  if (!started) {
    started = { provider: import("./provider.js").then(({ registerTraceProvider }) => registerTraceProvider({ ...settings, endpoint })), users: 0 };
    logger.info({ endpoint, ratio: settings.ratio }, "tracing on: spans exported over OTLP");
  }
  const current = started;
  current.users += 1;
  const provider = await current.provider;
  let closed = false;
  return {
    flush: () => provider.flush(),
    async close() {
      if (closed) return;
      closed = true;
      current.users -= 1;
      if (current.users > 0) return provider.flush();
      if (started === current) started = undefined;
      await provider.shutdown();
    },
  };
}

/** Whether this process records traces (a provider was started). */
export const tracingOn = (): boolean => started !== undefined;
