import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { Request, RequestHandler } from "express";

/** The header a request id travels in, from the client through every service. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * What a request id taken from a caller may look like: 1 to 128 letters, digits, `.`, `_`,
 * `:` or `-`. Enough for a UUID, a W3C trace id or a load balancer's id; an id ends up in
 * every log line and in the events a call causes, so anything longer or stranger is refused.
 */
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** `value` when it is an acceptable request id, else `undefined`. */
export function acceptableRequestId(value: unknown): string | undefined {
  return typeof value === "string" && ACCEPTABLE.test(value) ? value : undefined;
}

/**
 * The request id of a call: the caller's `x-request-id` when it is acceptable, otherwise a new
 * UUID. Every place that reads the header (HTTP contexts, REST error bodies, WebSocket
 * connections) goes through here.
 */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const given = headers[REQUEST_ID_HEADER];
  return acceptableRequestId(Array.isArray(given) ? given[0] : given) ?? randomUUID();
}

/**
 * Fixes the request's id once, first thing: the header is replaced by the accepted or new id,
 * so that whatever reads it later (the context, the rate limiter's answer, the REST error
 * body) sees the same bounded id, and the response carries it back to the client.
 */
export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const id = requestIdFrom(req.headers);
    req.headers[REQUEST_ID_HEADER] = id;
    res.locals.requestId = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
}

/** The id {@link requestIdMiddleware} fixed for this request (read from the header where it did not run). */
export function requestIdOf(req: Request): string {
  const fixed: unknown = req.res?.locals.requestId;
  return typeof fixed === "string" ? fixed : requestIdFrom(req.headers);
}

/**
 * The same for WebSocket upgrades, which never pass through Express: before any other
 * `upgrade` listener (the graphql-ws servers) reads the request, its id is replaced by the
 * accepted or new one.
 */
export function boundRequestIdsOnUpgrade(server: Server): void {
  server.prependListener("upgrade", (req: { headers: IncomingHttpHeaders }) => {
    req.headers[REQUEST_ID_HEADER] = requestIdFrom(req.headers);
  });
}
