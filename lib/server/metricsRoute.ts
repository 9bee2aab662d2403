import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import type { Registry } from "prom-client";
import { ConfigError, read, type Env } from "../config.js";

/** Shortest `METRICS_TOKEN` accepted: a scrape token is a secret, not a password to remember. */
const MIN_TOKEN_LENGTH = 16;

/**
 * `METRICS_TOKEN`, default unset. When set, `/metrics` answers only
 * `Authorization: Bearer <METRICS_TOKEN>`; unset, it is open (fine on a port nobody else
 * reaches), except on the gateway in production, which then does not serve it at all.
 */
export function readMetricsToken(env: Env = process.env): string | undefined {
  const token = read(env, "METRICS_TOKEN", "");
  if (token === "") return undefined;
  if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new ConfigError("METRICS_TOKEN", `expected at least ${MIN_TOKEN_LENGTH} characters without spaces`);
  }
  return token;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * `GET /metrics` in Prometheus text format; with a token, anything but
 * `Authorization: Bearer <token>` is a 401 (compared in constant time).
 */
export function metricsRoute(registry: Registry, token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  return async (req, res) => {
    if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ""), expected)) {
      res
        .status(401)
        .set("www-authenticate", 'Bearer realm="metrics"')
        .json({ errors: [{ message: "Scraping /metrics needs Authorization: Bearer <METRICS_TOKEN>", extensions: { code: "UNAUTHENTICATED" } }] });
      return;
    }
    res.type(registry.contentType).send(await registry.metrics());
  };
}
