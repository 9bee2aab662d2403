import express from "express";
import type { Redis } from "ioredis";
import { ConfigError, read, readInt, type Env } from "../config.js";
import { readBodyLimit } from "./http.js";
import { readMetricsToken } from "./metricsRoute.js";

/** Express's `trust proxy` setting: hops, or addresses and ranges. */
export type TrustProxy = number | string;

/** Calls allowed per window on a subgraph port, counted in Redis (every instance shares them). */
export interface SubgraphRateLimits {
  /** `SUBGRAPH_RATE_LIMIT_WINDOW` in seconds, default 60. */
  windowSeconds: number;
  /**
   * `SUBGRAPH_RATE_LIMIT_USER`, default 3000 a window per signed-in user: five times the
   * gateway's `RATE_LIMIT_USER`, since one gateway call can fan out to several subgraph calls.
   */
  user: number;
  /**
   * `SUBGRAPH_RATE_LIMIT_ANONYMOUS`, default 240 a window per client IP without a token: twice
   * the gateway's `RATE_LIMIT_ANONYMOUS` (anonymous operations reach one subgraph each).
   */
  anonymous: number;
}

/** What guards a subgraph's port, read once at start. */
export interface SubgraphPerimeterSettings {
  rateLimits: SubgraphRateLimits;
  /**
   * `TRUST_PROXY`, default `loopback`: the addresses (`10.0.0.0/8, 127.0.0.1`, Express's
   * `loopback`, `uniquelocal`) or the number of hops whose `X-Forwarded-For` names the client.
   * The gateway sets it for every call, so a subgraph's per-IP limit sees the real client; a
   * caller outside these addresses cannot choose its address for the rate limiter.
   */
  trustProxy: TrustProxy;
  /** `MAX_REPRESENTATIONS`, default 1000: entities one request may ask `_entities` for. */
  maxRepresentations: number;
  /** `MAX_BODY_BYTES`, default 1 MiB, as on the gateway. */
  bodyBytes: number;
  /** `METRICS_TOKEN`, default unset (`/metrics` open). */
  metricsToken: string | undefined;
}

/** The settings, and the Redis connection the rate-limit counters live in. */
export interface SubgraphPerimeter {
  settings: SubgraphPerimeterSettings;
  redis: Redis;
  /** `REDIS_PREFIX`: each subgraph counts under `<prefix><service>:rate:`. */
  redisPrefix: string;
}

export function readSubgraphPerimeter(env: Env = process.env): SubgraphPerimeterSettings {
  return {
    rateLimits: {
      windowSeconds: readInt(env, "SUBGRAPH_RATE_LIMIT_WINDOW", 60, 1, 86_400),
      user: readInt(env, "SUBGRAPH_RATE_LIMIT_USER", 3_000, 1, 1_000_000),
      anonymous: readInt(env, "SUBGRAPH_RATE_LIMIT_ANONYMOUS", 240, 1, 1_000_000),
    },
    trustProxy: readTrustProxy(env, "loopback"),
    maxRepresentations: readInt(env, "MAX_REPRESENTATIONS", 1_000, 1, 100_000),
    bodyBytes: readBodyLimit(env),
    metricsToken: readMetricsToken(env),
  };
}

/**
 * `TRUST_PROXY` as Express takes it: a number of hops, or a comma-separated list of addresses,
 * ranges and Express's names (`loopback`, `linklocal`, `uniquelocal`); a malformed list fails
 * at start with the variable's name rather than on the first request.
 */
export function readTrustProxy(env: Env, fallback: string): TrustProxy {
  const raw = read(env, "TRUST_PROXY", fallback);
  const value = /^\d+$/.test(raw) ? Number(raw) : raw;
  try {
    // Express compiles the setting at once: a throwaway app checks it the way the real one will.
    express().set("trust proxy", value);
  } catch (err) {
    throw new ConfigError("TRUST_PROXY", `expected a number of hops or addresses, got ${JSON.stringify(raw)}: ${(err as Error).message}`);
  }
  return value;
}
