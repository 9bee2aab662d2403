import { context, propagation, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type { TracingSettings } from "../config.js";
import { instrumentStores } from "./instrumentations.js";

/** The process's tracer provider, registered, and how to send what it holds and stop it. */
export interface TraceProvider {
  flush(): Promise<void>;
  /** Flushes, stops exporting, undoes the instrumentation and unregisters the provider. */
  shutdown(): Promise<void>;
}

/**
 * Registers an OpenTelemetry provider for this process: spans go in batches over OTLP/HTTP to
 * `<endpoint>/v1/traces`, new traces are sampled at `ratio` and a caller's `traceparent` decides
 * for its own (W3C trace context, the only propagation format); SQL statements and Redis
 * commands are spans of the request that made them (`instrumentStores`). Loaded only when
 * tracing is on: the SDK is not even imported otherwise.
 */
export function registerTraceProvider(settings: TracingSettings & { endpoint: string }): TraceProvider {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": settings.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.ratio) }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, "")}/v1/traces` }))],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const uninstrument = instrumentStores(provider);
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      uninstrument();
      await provider.shutdown();
      unregisterTracing();
    },
  };
}

/**
 * Unregisters the process's tracer provider, context manager and propagator, so that a provider
 * started later in this process (tests) takes their place.
 */
export function unregisterTracing(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}
