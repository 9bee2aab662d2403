import { Redis } from "ioredis";
import type { Counter, Registry } from "prom-client";
import { RevocationRecord } from "../auth/revocationRecord.js";
import { authSnapshotSource, Revocations, type SnapshotSource } from "../auth/revocationSync.js";
import { processEnv, readServiceConfig, type ConfigOf, type Env, type ServiceName } from "../config.js";
import { createLogger, type Logger } from "../logger.js";
import { createMetricsRegistry, dbQueryCounter } from "../metricsRegistry.js";
import { checkBackingServices } from "../preflight.js";
import { createPrismaClient, type PrismaClient } from "../prisma.js";
import { startTracing, type Tracing } from "../telemetry/tracing.js";

/** The subgraphs: services with a database. */
export type SubgraphName = Exclude<ServiceName, "gateway">;

/** The long-lived parts every service process has, shared by every request. */
export interface BaseRuntime<TConfig = ConfigOf[ServiceName]> {
  /** The service's configuration, read once at start. */
  config: TConfig;
  logger: Logger;
  metrics: Registry;
  redis: Redis;
  /** The live revocations, in memory, read from auth and kept current by its notices (see {@link Revocations}). */
  revocations: Revocations;
  /** OpenTelemetry tracing, on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. */
  tracing: Tracing;
  /** Closes the connections. */
  close(): Promise<void>;
}

/** A subgraph's runtime: the base plus its database client. */
export interface Runtime<TConfig = ConfigOf[SubgraphName]> extends BaseRuntime<TConfig> {
  prisma: PrismaClient;
  /** Auth's only: the durable record of revocations it writes (undefined in the other subgraphs). */
  revocationRecord?: RevocationRecord;
}

/**
 * Reads the configuration, checks that Redis answers (a clear message names it when it does
 * not), opens the shared connection and starts reading the revocation list: from `snapshots`
 * when given (auth, from its own database), from the auth subgraph at `AUTH_URL` otherwise.
 * The gateway needs no more than this.
 */
export async function createBaseRuntime<N extends ServiceName>(
  name: N,
  env: Env = processEnv(),
  snapshots?: SnapshotSource,
): Promise<BaseRuntime<ConfigOf[N]>> {
  const config = readServiceConfig(name, env);
  const logger = createLogger(name, config.logLevel);
  const tracing = await startTracing(config.tracing, logger);
  await checkBackingServices({ redisUrl: config.redisUrl });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  redis.on("error", (err) => logger.warn({ err }, "redis connection error"));
  const authUrl = (config as { authUrl?: string }).authUrl;
  const source = snapshots ?? (authUrl ? authSnapshotSource(authUrl) : undefined);
  if (!source) throw new Error(`${name}: no source for the revocation list (AUTH_URL)`);
  const revocations = new Revocations({ redis, prefix: config.redisPrefix, source, logger });
  revocations.start();
  return {
    config,
    logger,
    metrics: createMetricsRegistry(name),
    redis,
    revocations,
    tracing,
    async close() {
      await revocations.close();
      await redis.quit().catch(() => redis.disconnect());
      await tracing.close();
    },
  };
}

/** A subgraph's runtime: also checks PostgreSQL and opens Prisma, its SQL statements counted. */
export async function createRuntime<N extends SubgraphName>(name: N, env: Env = processEnv()): Promise<Runtime<ConfigOf[N]>> {
  const { databaseUrl, redisPrefix, accessTokenTtlSeconds } = readServiceConfig(name, env);
  await checkBackingServices({ databaseUrl });
  let queries: Counter | undefined;
  const prisma = createPrismaClient(databaseUrl, { onQuery: () => queries?.inc() });
  // Auth owns the durable record and reads it itself; the others ask auth for it.
  let record: RevocationRecord | undefined;
  const base = await createBaseRuntime(name, env, name === "auth" ? () => (record ? record.snapshot() : Promise.reject(new Error("not open yet"))) : undefined);
  if (name === "auth") record = new RevocationRecord(prisma, base.redis, redisPrefix, base.revocations, accessTokenTtlSeconds, base.logger);
  queries = dbQueryCounter(base.metrics);
  return {
    ...base,
    prisma,
    revocationRecord: record,
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
