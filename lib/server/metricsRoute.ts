import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import type { Registry } from "prom-client";
import { bearerToken } from "../auth/bearer.js";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * `GET /metrics` in Prometheus text format; with a token (`METRICS_TOKEN`), anything but
 * `Authorization: Bearer <token>` is a 401 (compared in constant time).
 */
export function metricsRoute(registry: Registry, token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return async (req, res) => {
    if (expected && !timingSafeEqual(digest(bearerToken(req.headers.authorization ?? "") ?? ""), expected)) {
      res
        .status(401)
        .set("www-authenticate", 'Bearer realm="metrics"')
        .json({ errors: [{ message: "Scraping /metrics needs Authorization: Bearer <METRICS_TOKEN>", extensions: { code: "UNAUTHENTICATED" } }] });
      return;
    }
    res.type(registry.contentType).send(await registry.metrics());
  };
}
