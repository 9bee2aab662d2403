import { context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { TracingSettings } from "../config.js";
import type { Logger } from "../logger.js";
import { instrumentStores } from "./instrumentations.js";

/** A service's traces, once started. */
export interface Tracing {
  /** Sends what is still buffered (tests call it before reading the receiver). */
  flush(): Promise<void>;
  /** Flushes and stops exporting. */
  close(): Promise<void>;
}

const OFF: Tracing = { flush: async () => undefined, close: async () => undefined };

let started: { provider: NodeTracerProvider; users: number; uninstrument: () => void } | undefined;

/**
 * Starts OpenTelemetry tracing for this process when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and
 * does nothing otherwise (no provider: `@opentelemetry/api` stays a no-op, and the request
 * pipeline adds no tracing step). Spans go in batches over OTLP/HTTP to `<endpoint>/v1/traces`;
 * new traces are sampled at `ratio`, a caller's `traceparent` decides for its own (W3C trace
 * context, the only propagation format). SQL statements and Redis commands are spans of the
 * request that made them (`instrumentStores`). One provider per process: services started in one
 * process (tests) share the first one's, and it stops with the last.
 */
export function startTracing(settings: TracingSettings, logger: Logger): Tracing {
  if (!settings.endpoint) return OFF;
  if (!started) {
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ "service.name": settings.serviceName }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.ratio) }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, "")}/v1/traces` }))],
    });
    provider.register({ propagator: new W3CTraceContextPropagator() });
    started = { provider, users: 0, uninstrument: instrumentStores(provider) };
    logger.info({ endpoint: settings.endpoint, ratio: settings.ratio }, "tracing on: spans exported over OTLP");
  }
  const current = started;
  current.users += 1;
  let closed = false;
  return {
    flush: () => current.provider.forceFlush(),
    async close() {
      if (closed) return;
      closed = true;
      current.users -= 1;
      if (current.users > 0) return current.provider.forceFlush();
      started = undefined;
      current.uninstrument();
      await current.provider.shutdown();
      // Unregistered, so that a provider started later in this process (tests) takes its place.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** Whether this process records traces (a provider was started). */
export const tracingOn = (): boolean => started !== undefined;
