import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { Role } from "#lib/auth/scopes.js";
import { keyId, signAccessToken } from "#lib/auth/tokens.js";
import { readBackingServices } from "#lib/config.js";
import { deleteBrokerObjects } from "../../test/support/broker.js";
import { createTestDatabase } from "../../test/support/database.js";
import { startOurService, type BenchProcess } from "../gateway/processes.js";

/** Lifetime of the bench's tokens, seconds: longer than a run. */
const TOKEN_TTL = 3_600;

/** What a bench runs on, all of its own and removed by {@link BenchRun.close}. */
export interface BenchRun {
  /** Names the run's objects: its Redis prefix, exchange, queue, and any file the bench writes. */
  tag: string;
  /** The run's database, migrated and empty: the bench seeds it. */
  databaseUrl: string;
  /** The run's events exchange and subscription queue. */
  exchange: string;
  queue: string;
  /**
   * What every service gets: the run's database, Redis prefix, exchange, queue and signing key,
   * `LOG_LEVEL=warn`, and the subgraphs' own rate limits above what a bench sends (they stay on).
   * The bench may add to it before it starts a service; `startSubgraphs` adds `AUTH_URL`.
   */
  env: Record<string, string>;
  /** Every process started for the run; `close` stops them, the last first. */
  started: BenchProcess[];
  /** An access token for `user`, signed as auth signs them: no sign-in, no password hash. */
  sign(user: { id: string; email: string }, roles: Role[]): string;
  /**
   * Starts auth, then user, production and qa, compiled, on `serviceEnv` (default `env`), and adds
   * their URLs to it (`AUTH_URL`, …) for the gateway. A second set on a copy of `env` shares the
   * run's database, Redis prefix and broker objects.
   */
  startSubgraphs(serviceEnv?: Record<string, string>): Promise<{ auth: BenchProcess; user: BenchProcess; production: BenchProcess; qa: BenchProcess }>;
  /** Stops the processes, deletes the exchange and queues, drops the database. */
  close(): Promise<void>;
}

/** A database, exchange, queue and Redis prefix for a bench run, and a key to sign its tokens. */
export async function openBenchRun(): Promise<BenchRun> {
  const { databaseUrl, amqpUrl } = readBackingServices();
  const tag = `${process.pid}-${randomBytes(3).toString("hex")}`;
  const database = await createTestDatabase(databaseUrl, "_bench");
  const exchange = `bench.events.${tag}`;
  const queue = `bench.subscriptions.${tag}`;
  // The production services also consume QA's decisions: on names of the run's own, never the shared `qa.events`.
  const qaExchange = `bench.qa-events.${tag}`;
  const qaQueue = `bench.qa-decisions.${tag}`;
  const qaSubscriptionsQueue = `bench.qa-subscriptions.${tag}`;
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signing = { privateKey, kid: keyId(publicKey), ttlSeconds: TOKEN_TTL, issuer: "batch-supergraph-auth", audience: "batch-supergraph" };
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_PREFIX: `batch-bench-${tag}:`,
    JWT_PRIVATE_KEY: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    // The secret the gateway asks auth for service tokens with (required in production).
    GATEWAY_SERVICE_SECRET: randomBytes(24).toString("hex"),
    ACCESS_TOKEN_TTL: String(TOKEN_TTL),
    EVENTS_EXCHANGE: exchange,
    SUBSCRIPTIONS_QUEUE: queue,
    QA_EVENTS_EXCHANGE: qaExchange,
    QA_DECISIONS_QUEUE: qaQueue,
    QA_SUBSCRIPTIONS_QUEUE: qaSubscriptionsQueue,
    LOG_LEVEL: "warn",
    // The subgraphs' own rate limits stay on, set above what a bench sends.
    SUBGRAPH_RATE_LIMIT_USER: "1000000",
    SUBGRAPH_RATE_LIMIT_ANONYMOUS: "1000000",
  };
  const started: BenchProcess[] = [];
  return {
    tag,
    databaseUrl: database.url,
    exchange,
    queue,
    env,
    started,
    sign: (user, roles) => signAccessToken({ ...user, roles }, signing),
    async startSubgraphs(serviceEnv = env) {
      const auth = await startOurService("auth", serviceEnv);
      started.push(auth);
      serviceEnv.AUTH_URL = auth.url;
      const [user, production] = await Promise.all([startOurService("user", serviceEnv), startOurService("production", serviceEnv)]);
      started.push(user, production);
      Object.assign(serviceEnv, { USER_URL: user.url, PRODUCTION_URL: production.url });
      // After production: QA asks it for batches.
      const qa = await startOurService("qa", serviceEnv);
      started.push(qa);
      serviceEnv.QA_URL = qa.url;
      return { auth, user, production, qa };
    },
    async close() {
      for (const process_ of started.splice(0).reverse()) await process_.stop();
      try {
        await deleteBrokerObjects({ exchange, queue, qaExchange, qaQueue, qaSubscriptionsQueue }, amqpUrl);
      } finally {
        await database.drop();
      }
    },
  };
}
