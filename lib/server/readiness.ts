import amqp from "amqplib";
import type { RequestHandler } from "express";
import type { Redis } from "ioredis";
import { Gauge, type Registry } from "prom-client";

/** One dependency check: resolves when the dependency answers, rejects (or times out) otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

/** How long one check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2_000;

const withTimeout = (check: ReadinessCheck, ms: number) =>
  Promise.race([check(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);

/** What `/ready` checks: what the service cannot serve without, and what it serves without, degraded. */
export interface ReadinessChecks {
  /** A failure makes `/ready` answer 503: the service is of no use without it. */
  required: Record<string, ReadinessCheck>;
  /** Reported (`degraded` in the body, `dependency_up` 0) but `/ready` stays 200: requests are still served. */
  optional?: Record<string, ReadinessCheck>;
}

export interface ReadinessReport {
  ready: boolean;
  /** Each check's outcome: `ok` or why it failed. */
  checks: Record<string, string>;
  /** The optional dependencies that are away. */
  degraded: string[];
}

/**
 * Whether this instance should get traffic: every required dependency answers and it is not
 * stopping. `/health` says the process is alive; `/ready` says it is useful (a load balancer
 * takes it out of rotation on 503, and does so as soon as shutdown starts). Optional
 * dependencies are reported, never a reason for a 503: an outage of one must not take out
 * the services that do not need it. With a metrics registry, `dependency_up{dependency,required}`
 * is 1 or 0 for each check, as of the last probe.
 */
export class Readiness {
  private stopping = false;
  private readonly required: Record<string, ReadinessCheck>;
  private readonly optional: Record<string, ReadinessCheck>;
  private readonly gauge?: Gauge<"dependency" | "required">;

  constructor(checks: ReadinessChecks, metrics?: Registry) {
    this.required = checks.required;
    this.optional = checks.optional ?? {};
    // Set by each probe rather than at each scrape: a scrape then costs no query, and probes come every few seconds.
    this.gauge =
      metrics &&
      ((metrics.getSingleMetric("dependency_up") as Gauge<"dependency" | "required"> | undefined) ??
        new Gauge({
          name: "dependency_up",
          help: "Whether each backing service this one checks answered its last /ready probe (1) or not (0)",
          labelNames: ["dependency", "required"],
          registers: [metrics],
        }));
  }

  /** Called first thing on shutdown: `/ready` answers 503 from then on. */
  markStopping(): void {
    this.stopping = true;
  }

  /** Each check's outcome, run in parallel. */
  async report(): Promise<ReadinessReport> {
    const all = { ...this.required, ...this.optional };
    const names = Object.keys(all);
    const results = await Promise.allSettled(names.map((name) => withTimeout(all[name]!, CHECK_TIMEOUT_MS)));
    const checks: Record<string, string> = {};
    const degraded: string[] = [];
    let ready = !this.stopping;
    results.forEach((result, i) => {
      const name = names[i]!;
      checks[name] = result.status === "fulfilled" ? "ok" : String((result.reason as Error)?.message ?? result.reason);
      this.gauge?.set({ dependency: name, required: String(name in this.required) }, result.status === "fulfilled" ? 1 : 0);
      if (result.status === "fulfilled") return;
      if (name in this.required) ready = false;
      else degraded.push(name);
    });
    if (this.stopping) checks.shutdown = "stopping";
    return { ready, checks, degraded };
  }

  /** `GET /ready`: 200 `{ status: "ready" | "degraded", checks, degraded }` or 503 `{ status: "unavailable", checks }`. */
  handler(service: string): RequestHandler {
    return async (_req, res) => {
      const { ready, checks, degraded } = await this.report();
      const status = !ready ? "unavailable" : degraded.length > 0 ? "degraded" : "ready";
      res.status(ready ? 200 : 503).json({ status, service, checks, ...(degraded.length > 0 ? { degraded } : {}) });
    };
  }
}

/** The revocation list has been read (a service that cannot tell a revoked token answers every signed-in call with 503). */
export const revocationsCheck =
  (revocations: { ready: boolean }): ReadinessCheck =>
  async () => {
    if (!revocations.ready) throw new Error("revocation list not read from auth yet");
  };

/** Redis answers `PING` (a connection that is reconnecting fails at once instead of queueing). */
export const redisCheck =
  (redis: Redis): ReadinessCheck =>
  async () => {
    if (redis.status !== "ready") throw new Error(`connection ${redis.status}`);
    await redis.ping();
  };

/** PostgreSQL answers `SELECT 1`. */
export const postgresCheck =
  (prisma: { $queryRawUnsafe(sql: string): Promise<unknown> }): ReadinessCheck =>
  () =>
    prisma.$queryRawUnsafe("SELECT 1");

/**
 * RabbitMQ accepts a connection. Opening one costs a few round trips, so a success is trusted
 * for `cacheMs` (default 5 s); a failure is checked again on the next call.
 */
export function rabbitmqCheck(url: string, cacheMs = 5_000): ReadinessCheck {
  let okUntil = 0;
  return async () => {
    if (Date.now() < okUntil) return;
    const connection = await amqp.connect(url, { timeout: CHECK_TIMEOUT_MS });
    connection.on("error", () => undefined);
    await connection.close();
    okUntil = Date.now() + cacheMs;
  };
}

/** An HTTP service answers `GET <url>` with a 2xx status (for the gateway: each subgraph's `/health`). */
export const httpCheck =
  (url: string): ReadinessCheck =>
  async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  };
