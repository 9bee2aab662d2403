import { Redis } from "ioredis";
import type { Registry } from "prom-client";
import { Revocations } from "../auth/revocation.js";
import { readServiceConfig, type ServiceConfig, type ServiceName } from "../config.js";
import { createLogger, type Logger } from "../logger.js";
import { createMetricsRegistry, dbQueryCounter } from "../metrics.js";
import { checkBackingServices } from "../preflight.js";
import { createPrismaClient, type PrismaClient } from "../prisma.js";

/** The long-lived parts of a service process, shared by every request. */
export interface Runtime {
  config: ServiceConfig;
  logger: Logger;
  metrics: Registry;
  prisma: PrismaClient;
  redis: Redis;
  revocations: Revocations;
  /** Closes the connections. */
  close(): Promise<void>;
}

/**
 * Reads the configuration, checks that PostgreSQL and Redis answer (a clear message names the
 * one that does not) and opens the shared connections.
 */
export async function createRuntime(name: ServiceName, env = process.env): Promise<Runtime> {
  const config = readServiceConfig(name, env);
  const logger = createLogger(name);
  await checkBackingServices({ databaseUrl: config.databaseUrl, redisUrl: config.redisUrl });
  const metrics = createMetricsRegistry(name);
  const queries = dbQueryCounter(metrics);
  const prisma = createPrismaClient(config.databaseUrl, { onQuery: () => queries.inc() });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  redis.on("error", (err) => logger.warn({ err }, "redis connection error"));
  const revocations = new Revocations(redis, config.redisPrefix, config.accessTokenTtlSeconds);
  return {
    config,
    logger,
    metrics,
    prisma,
    redis,
    revocations,
    async close() {
      await Promise.allSettled([prisma.$disconnect(), redis.quit()]);
    },
  };
}

/** How long a stopping service waits for in-flight work before it exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Runs `stop` on SIGINT or SIGTERM, then exits: 0 when everything closed in time, 1 otherwise.
 * A second signal exits at once.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, "stopping");
    const timer = setTimeout(() => {
      logger.error("did not stop in time, exiting");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    timer.unref();
    stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (err) => {
        logger.error({ err }, "failed to stop cleanly");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** Logs a start-up failure (an unreachable service, a bad variable) plainly and exits 1. */
export function failStartup(logger: Logger, err: unknown): never {
  logger.fatal({ err }, (err as Error)?.message ?? "start-up failed");
  process.exit(1);
}
