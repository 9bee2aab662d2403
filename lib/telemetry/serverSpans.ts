import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { RequestHandler } from "express";

/** The tracer of the project's own spans (Apollo's carry their own names). */
export const tracer = () => trace.getTracer("batch-supergraph");

/**
 * One SERVER span per request, the root of what the service does for it: it continues the
 * caller's trace when `traceparent` is valid (a malformed one is ignored and a new trace starts),
 * carries the request id, and ends with the response's status (5xx is an error). The rest of the
 * request runs in its context, so that spans made meanwhile (Apollo's, calls to other services)
 * are its children. Only mounted when tracing is on.
 */
export function serverSpans(service: string): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(
      `${req.method} ${req.path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": req.method,
          "url.path": req.path,
          "request.id": String(res.locals.requestId ?? ""),
          "supergraph.service": service,
        },
      },
      parent,
    );
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute("http.response.status_code", res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once("finish", end);
    res.once("close", end);
    context.with(trace.setSpan(parent, span), next);
  };
}
