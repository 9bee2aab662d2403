import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import type { Registry } from "prom-client";
import type { Logger } from "../logger.js";
import { metricsRoute } from "./metricsRoute.js";

/** Largest request body accepted, in bytes-ish units understood by body-parser. */
export const BODY_LIMIT = "1mb";

export interface OperationalRouteOptions {
  /** `METRICS_TOKEN`: when set, `/metrics` needs `Authorization: Bearer <token>`. Default: open. */
  metricsToken?: string;
  /** Whether `/metrics` is served at all (then it is a 404 like any unknown path). Default `true`. */
  serveMetrics?: boolean;
}

/**
 * Routes every service has: `GET /health` (the process is alive) and `GET /metrics`
 * (Prometheus text format).
 */
export function operationalRoutes(service: string, registry: Registry, options: OperationalRouteOptions = {}): express.Router {
  const { metricsToken, serveMetrics = true } = options;
  const router = express.Router();
  router.get("/health", (_req, res) => {
    res.json({ status: "ok", service });
  });
  if (serveMetrics) router.get("/metrics", metricsRoute(registry, metricsToken));
  return router;
}

/**
 * The answer to any path no route took, in the GraphQL error shape instead of Express's HTML
 * page: `{"errors":[{"message":"No route GET /x","extensions":{"code":"NOT_FOUND"}}]}`. Mount
 * it after every route (`/api/*` has the REST router's own 404).
 */
export function notFound(): RequestHandler {
  return (req, res) => {
    const path = req.originalUrl.split("?")[0];
    res.status(404).json({ errors: [{ message: `No route ${req.method} ${path}`, extensions: { code: "NOT_FOUND" } }] });
  };
}

/**
 * Turns errors raised before GraphQL runs (malformed JSON, a body too large) into a JSON
 * body in the GraphQL error shape, with the status body-parser chose.
 */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const status: number = typeof err?.status === "number" ? err.status : 500;
    if (status >= 500) logger.error({ err }, "request failed");
    const code = err?.type === "entity.parse.failed" ? "BAD_REQUEST" : err?.type === "entity.too.large" ? "PAYLOAD_TOO_LARGE" : "INTERNAL_SERVER_ERROR";
    const message = status >= 500 ? "Internal server error" : String(err?.message ?? "Bad request");
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };
}

/** Listens on `port` (0 picks a free one) and logs the URL it serves. */
export async function listen(server: Server, port: number, host: string, logger: Logger): Promise<string> {
  server.listen(port, host);
  await once(server, "listening");
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${actual}`;
  logger.info({ url: `${url}/graphql`, port: actual }, "listening");
  return url;
}
