import { Redis } from "ioredis";
import type { Registry } from "prom-client";
import { Revocations } from "../auth/revocation.js";
import { processEnv, readServiceConfig, type ConfigOf, type Env, type ServiceName } from "../config.js";
import { createLogger, type Logger } from "../logger.js";
import { createMetricsRegistry, dbQueryCounter } from "../metricsRegistry.js";
import { checkBackingServices } from "../preflight.js";
import { createPrismaClient, type PrismaClient } from "../prisma.js";

/** The subgraphs: services with a database. */
export type SubgraphName = Exclude<ServiceName, "gateway">;

/** The long-lived parts every service process has, shared by every request. */
export interface BaseRuntime<TConfig = ConfigOf[ServiceName]> {
  /** The service's configuration, read once at start. */
  config: TConfig;
  logger: Logger;
  metrics: Registry;
  redis: Redis;
  revocations: Revocations;
  /** Closes the connections. */
  close(): Promise<void>;
}

/** A subgraph's runtime: the base plus its database client. */
export interface Runtime<TConfig = ConfigOf[SubgraphName]> extends BaseRuntime<TConfig> {
  prisma: PrismaClient;
}

/**
 * Reads the configuration, checks that Redis answers (a clear message names it when it does
 * not) and opens the shared connection. The gateway needs no more than this.
 */
export async function createBaseRuntime<N extends ServiceName>(name: N, env: Env = processEnv()): Promise<BaseRuntime<ConfigOf[N]>> {
  const config = readServiceConfig(name, env);
  const logger = createLogger(name, config.logLevel);
  await checkBackingServices({ redisUrl: config.redisUrl });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  redis.on("error", (err) => logger.warn({ err }, "redis connection error"));
  return {
    config,
    logger,
    metrics: createMetricsRegistry(name),
    redis,
    revocations: new Revocations(redis, config.redisPrefix, config.accessTokenTtlSeconds),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** A subgraph's runtime: also checks PostgreSQL and opens Prisma, its SQL statements counted. */
export async function createRuntime<N extends SubgraphName>(name: N, env: Env = processEnv()): Promise<Runtime<ConfigOf[N]>> {
  const { databaseUrl } = readServiceConfig(name, env);
  await checkBackingServices({ databaseUrl });
  const base = await createBaseRuntime(name, env);
  const queries = dbQueryCounter(base.metrics);
  const prisma = createPrismaClient(base.config.databaseUrl, { onQuery: () => queries.inc() });
  return {
    ...base,
    prisma,
    async close() {
      await Promise.allSettled([prisma.$disconnect(), base.close()]);
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
