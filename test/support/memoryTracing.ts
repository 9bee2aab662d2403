import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { unregisterTracing } from "../../lib/telemetry/provider.js";

/**
 * Tracing in the test's own process, spans kept in memory as each ends: for unit tests of what
 * the services put in a trace, without an exporter or a receiver. `stop` unregisters it.
 */
export function startMemoryTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return {
    /** The spans ended so far. */
    spans: () => exporter.getFinishedSpans(),
    async stop() {
      await provider.shutdown();
      unregisterTracing();
    },
  };
}
