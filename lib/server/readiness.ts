import amqp from "amqplib";
import type { RequestHandler } from "express";
import type { Redis } from "ioredis";

/** One dependency check: resolves when the dependency answers, rejects (or times out) otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

/** How long one check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2_000;

const withTimeout = (check: ReadinessCheck, ms: number) =>
  Promise.race([
    check(),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref()),
  ]);

/**
 * Whether this instance should get traffic: every dependency answers and it is not stopping.
 * `/health` says the process is alive; `/ready` says it is useful (a load balancer takes it
 * out of rotation on 503, and does so as soon as shutdown starts).
 */
export class Readiness {
  private stopping = false;

  constructor(private readonly checks: Record<string, ReadinessCheck>) {}

  /** Called first thing on shutdown: `/ready` answers 503 from then on. */
  markStopping(): void {
    this.stopping = true;
  }

  /** Each check's outcome, run in parallel. */
  async report(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const names = Object.keys(this.checks);
    const results = await Promise.allSettled(names.map((name) => withTimeout(this.checks[name]!, CHECK_TIMEOUT_MS)));
    const checks: Record<string, string> = {};
    results.forEach((result, i) => {
      checks[names[i]!] = result.status === "fulfilled" ? "ok" : String((result.reason as Error)?.message ?? result.reason);
    });
    if (this.stopping) checks.shutdown = "stopping";
    return { ready: !this.stopping && results.every((r) => r.status === "fulfilled"), checks };
  }

  /** `GET /ready`: 200 `{ status: "ready", checks }` or 503 `{ status: "unavailable", checks }`. */
  handler(service: string): RequestHandler {
    return async (_req, res) => {
      const { ready, checks } = await this.report();
      res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "unavailable", service, checks });
    };
  }
}

/** Redis answers `PING` (a connection that is reconnecting fails at once instead of queueing). */
export const redisCheck = (redis: Redis): ReadinessCheck => async () => {
  if (redis.status !== "ready") throw new Error(`connection ${redis.status}`);
  await redis.ping();
};

/** PostgreSQL answers `SELECT 1`. */
export const postgresCheck = (prisma: { $queryRawUnsafe(sql: string): Promise<unknown> }): ReadinessCheck => () => prisma.$queryRawUnsafe("SELECT 1");

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
export const httpCheck = (url: string): ReadinessCheck => async () => {
  const response = await fetch(url, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
};
