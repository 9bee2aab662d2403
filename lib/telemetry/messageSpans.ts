import { context, propagation, ROOT_CONTEXT, SpanStatusCode, type Context, type SpanKind } from "@opentelemetry/api";
import { tracer } from "./serverSpans.js";

/**
 * The W3C `traceparent` of the active span, to keep with something that outlives the request
 * (an outbox row's envelope, a message's headers); undefined when nothing is traced.
 */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a kept `traceparent` names (the root context when there is none or it is malformed). */
export const contextOf = (traceparent: unknown): Context =>
  typeof traceparent === "string" ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;

/**
 * Runs `work` in a span of `kind` (PRODUCER for a publish, CONSUMER for handling a message,
 * CLIENT for a call to another service) under `parent` (the trace of the change that caused an
 * event, or the current request's): the span ends with the work, an error marks it failed.
 * With tracing off the span is a no-op.
 */
export function inSpan<T>(name: string, kind: SpanKind, parent: Context, attributes: Record<string, string>, work: () => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * Runs `work` in a span of the trace a message carries (`traceparent`), or without a span when
 * it carries none: a message from outside any trace does not start one of its own.
 */
export function inTraceOf<T>(traceparent: unknown, name: string, kind: SpanKind, attributes: Record<string, string>, work: () => Promise<T>): Promise<T> {
  return typeof traceparent === "string" ? inSpan(name, kind, contextOf(traceparent), attributes, work) : work();
}
