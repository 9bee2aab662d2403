import { createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import { inject } from "vitest";
import { keyId, signAccessToken } from "#lib/auth/tokens.js";
import { TokenVerifier } from "#lib/auth/verifier.js";
import {
  readPrepare,
  type AuthConfig,
  type ConfigOf,
  type GatewayConfig,
  type ProductionConfig,
  type QaConfig,
  type ServiceName,
  type UserConfig,
} from "#lib/config.js";
import { listen } from "#lib/server/http.js";
import { createBaseRuntime, type BaseRuntime, type Runtime, type SubgraphName } from "#lib/server/runtime.js";
import type { SubgraphServer } from "#lib/server/subgraph.js";
import { createGatewayServer, type GatewayServer } from "../../gateway/src/server.js";
import { createAuthServer } from "../../subgraphs/auth/src/server.js";
import { createProductionServer } from "../../subgraphs/production/src/server.js";
import { createQaServer } from "../../subgraphs/qa/src/server.js";
import { createUserServer } from "../../subgraphs/user/src/server.js";
import { seed, seedAccounts } from "../../scripts/seed.js";
import { createPrismaClient } from "#lib/prisma.js";
import { CHEAP_SCRYPT, insertAccount, type TestAccount } from "./accounts.js";

export type { TestAccount };
import { deleteBrokerObjects } from "./broker.js";
import { cloneTestDatabase, type TestDatabase } from "./database.js";
import { graphql, type GraphQLResult } from "./graphql.js";
import { capturingLogger, startInProcessSubgraph } from "./inProcessSubgraph.js";
import { login } from "./login.js";
import { newSigningKey } from "./stack.js";

/** One service of an in-process stack. */
export interface InProcessService<TRuntime extends BaseRuntime = BaseRuntime> {
  name: ServiceName;
  /** Base URL, `http://127.0.0.1:<free port>`. */
  url: string;
  runtime: TRuntime;
  /** Every line it logged so far, parsed (kept, not printed). */
  logs: Array<Record<string, unknown>>;
}

/** A test account, inserted straight into the database. */
/** The people of the production floor, as demo data names them, and a token of each. */
export interface FloorAccounts {
  production: TestAccount;
  qa: TestAccount;
  viewer: TestAccount;
  tokens: Record<"production" | "qa" | "viewer", string>;
}

/** Inserts Pat Production, Quinn QA and a viewer into the stack's database, with a token for each. */
export async function createFloorAccounts(stack: InProcessStack): Promise<FloorAccounts> {
  const production = await stack.createUser({ roles: ["PRODUCTION"], name: "Pat Production" });
  const qa = await stack.createUser({ roles: ["QA"], name: "Quinn QA" });
  const viewer = await stack.createUser({ roles: ["VIEWER"] });
  const tokens = { production: stack.tokenFor(production), qa: stack.tokenFor(qa), viewer: stack.tokenFor(viewer) };
  return { production, qa, viewer, tokens };
}

/** A gateway running in this process, and how to stop it. */
export type InProcessGateway = InProcessService<BaseRuntime<GatewayConfig>> & { server: GatewayServer; stop(): Promise<void> };

/**
 * Starts one gateway in this process on a free port, built as `gateway/src/index.ts` builds it;
 * `env` is added to the process environment (subgraph URLs, limits, `NODE_ENV`).
 */
export async function startInProcessGateway(env: Record<string, string> = {}): Promise<InProcessGateway> {
  const logs: Array<Record<string, unknown>> = [];
  // A secret for service tokens unless the caller shares one with its auth subgraph (required in production).
  // The runtime's own logger stays silent (its Redis warnings would flood the test output); the gateway logs into `logs`.
  const base = await createBaseRuntime("gateway", {
    ...process.env,
    GATEWAY_PORT: "0",
    GATEWAY_SERVICE_SECRET: randomBytes(24).toString("hex"),
    ...env,
    LOG_LEVEL: "silent",
  });
  const runtime = { ...base, logger: capturingLogger("gateway", logs, env.LOG_LEVEL ?? "info") };
  const server = createGatewayServer({
    config: runtime.config,
    verifier: TokenVerifier.fromJwks(runtime.config, runtime.revocations),
    logger: runtime.logger,
    metrics: runtime.metrics,
    redis: runtime.redis,
  });
  try {
    await server.start();
    const url = await listen(server.httpServer, 0, "127.0.0.1", runtime.logger);
    return { name: "gateway", url, runtime, logs, server, stop: () => server.stop().finally(() => runtime.close()) };
  } catch (err) {
    await runtime.close();
    throw err;
  }
}

/** The whole supergraph in this process: gateway and three subgraphs on free ports, real backing services. */
export interface InProcessStack {
  gateway: InProcessGateway;
  auth: InProcessService<Runtime<AuthConfig>>;
  user: InProcessService<Runtime<UserConfig>>;
  production: InProcessService<Runtime<ProductionConfig>>;
  qa: InProcessService<Runtime<QaConfig>>;
  /** The environment every service was built from. */
  env: Record<string, string>;
  /** The auth subgraph's signing key, to forge tokens. */
  privateKey: KeyObject;
  kid: string;
  /** This stack's exchange and subscription queue. */
  exchange: string;
  queue: string;
  /** This stack's QA events exchange and decision queue: {@link decideThroughQa} publishes there. */
  qaExchange: string;
  qaQueue: string;
  /** Inserts an active user with a (cheaply hashed) password; every field has a default. */
  createUser(options?: Partial<Omit<TestAccount, "id">> & { active?: boolean }): Promise<TestAccount>;
  /** Logs a user in through the gateway and returns the access token; fails with the errors otherwise. */
  login(account: Pick<TestAccount, "email" | "password">): Promise<string>;
  /** A token signed with the stack's key, without a login (for users that need no row, or forged claims). */
  tokenFor(account: Pick<TestAccount, "id" | "email" | "roles">, ttlSeconds?: number): string;
  /** Seeds the stack's database as `npm start` does: the admin and the demo users (their passwords cheaply hashed). */
  seed(): Promise<void>;
  /** Stops one subgraph (its port then refuses connections), as a crashed instance. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts a stopped subgraph again on the port it had, as a supervisor restarts it. */
  restartSubgraph(name: SubgraphName): Promise<void>;
  /** Runs one operation through the gateway (or `baseUrl`). */
  call<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string, baseUrl?: string): Promise<GraphQLResult<T>>;
  stop(): Promise<void>;
}

export interface InProcessStackOptions {
  /** More variables for every service (limits, timeouts). */
  env?: Record<string, string>;
  /**
   * The outbox relay and the subscription consumer run (default `true`). They need the stack's
   * own database (one relay per database), which is then copied from the run's template. The
   * QA decision consumer runs either way, on the stack's own QA exchange and queue.
   */
  events?: boolean;
  /** Default: the run's shared database without events, a copy of the template with them. */
  databaseUrl?: string;
}

/**
 * Starts auth, user, production, qa and the gateway in this process, each on a free port, built by
 * the same `createXServer` functions their `index.ts` use, against real PostgreSQL, Redis and
 * RabbitMQ with names of their own (Redis prefix, exchange, queue, and with events a database).
 * For every gateway test that needs no process boundary: it starts in about a second.
 */
export async function startInProcessStack(options: InProcessStackOptions = {}): Promise<InProcessStack> {
  const events = options.events ?? true;
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const database: TestDatabase | undefined = events && !options.databaseUrl ? await cloneTestDatabase() : undefined;
  const privateKey = newSigningKey();
  const kid = keyId(createPublicKey(privateKey));
  const env: Record<string, string> = {
    NODE_ENV: "development",
    DATABASE_URL: options.databaseUrl ?? database?.url ?? inject("databaseUrl"),
    REDIS_PREFIX: `${inject("redisPrefix")}${randomBytes(3).toString("hex")}:`,
    JWT_PRIVATE_KEY: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    // The secret the gateway asks auth for service tokens with (required in production).
    GATEWAY_SERVICE_SECRET: randomBytes(24).toString("hex"),
    EVENTS_EXCHANGE: `production.events.test-${tag}`,
    SUBSCRIPTIONS_QUEUE: `production.subscriptions.test-${tag}`,
    QA_EVENTS_EXCHANGE: `qa.events.test-${tag}`,
    QA_DECISIONS_QUEUE: `production.qa-decisions.test-${tag}`,
    QA_SUBSCRIPTIONS_QUEUE: `qa.subscriptions.test-${tag}`,
    AUTH_PORT: "0",
    USER_PORT: "0",
    PRODUCTION_PORT: "0",
    QA_PORT: "0",
    GATEWAY_PORT: "0",
    ...options.env,
  };
  const level = env.LOG_LEVEL ?? "info";
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };

  /** How to stop each running subgraph, and how to build each one again. */
  const running = new Map<SubgraphName, () => Promise<void>>();
  const builders = new Map<SubgraphName, (runtime: Runtime<any>) => SubgraphServer>();
  const services = {} as { [N in SubgraphName]: InProcessService<Runtime<ConfigOf[N]>> };
  stops.push(async () => {
    for (const stop of [...running.values()]) await stop().catch(() => undefined);
    running.clear();
  });

  async function subgraph<N extends SubgraphName>(
    name: N,
    build: (runtime: Runtime<ConfigOf[N]>) => SubgraphServer,
    port = 0,
  ): Promise<InProcessService<Runtime<ConfigOf[N]>>> {
    const { url, runtime, logs, stop } = await startInProcessSubgraph(name, build, env, level, port);
    running.set(name, stop);
    builders.set(name, build as (runtime: Runtime<any>) => SubgraphServer);
    const service = (services[name] ??= { name, url, runtime, logs } as (typeof services)[N]);
    // A restarted instance takes the place of the stopped one in the object tests hold.
    Object.assign(service, { url, runtime, logs });
    return service;
  }

  try {
    const auth = await subgraph("auth", createAuthServer);
    env.AUTH_URL = auth.url;
    const [user, production] = await Promise.all([
      subgraph("user", createUserServer),
      subgraph("production", (runtime) =>
        createProductionServer(runtime, {
          relay: events ? { pollIntervalMs: 200 } : false,
          subscriptions: events ? {} : false,
        }),
      ),
    ]);
    env.USER_URL = user.url;
    env.PRODUCTION_URL = production.url;
    // After production: QA asks it for the batches it records against.
    const qa = await subgraph("qa", (runtime) =>
      createQaServer(runtime, { relay: events ? { pollIntervalMs: 200 } : false, subscriptions: events ? {} : false }),
    );
    env.QA_URL = qa.url;

    const gateway = await startInProcessGateway(env);
    stops.push(() => gateway.stop());
    const gatewayUrl = gateway.url;
    stops.unshift(() =>
      deleteBrokerObjects({
        ...(events ? { exchange: env.EVENTS_EXCHANGE, queue: env.SUBSCRIPTIONS_QUEUE } : {}),
        qaExchange: env.QA_EVENTS_EXCHANGE,
        qaQueue: env.QA_DECISIONS_QUEUE,
        ...(events ? { qaSubscriptionsQueue: env.QA_SUBSCRIPTIONS_QUEUE } : {}),
      }),
    );
    if (database) stops.unshift(() => database.drop());

    const { issuer, audience } = auth.runtime.config;
    const stack: InProcessStack = {
      gateway,
      auth,
      user,
      production,
      qa,
      env,
      privateKey,
      kid,
      exchange: env.EVENTS_EXCHANGE!,
      queue: env.SUBSCRIPTIONS_QUEUE!,
      qaExchange: env.QA_EVENTS_EXCHANGE!,
      qaQueue: env.QA_DECISIONS_QUEUE!,
      createUser: (account) => insertAccount(auth.runtime.prisma, account),
      login: ({ email, password }) => login(gatewayUrl, email, password),
      tokenFor: (account, ttlSeconds = 600) =>
        signAccessToken({ id: account.id, email: account.email, roles: account.roles }, { privateKey, kid, issuer, audience, ttlSeconds }),
      async seed() {
        const prisma = createPrismaClient(env.DATABASE_URL!);
        try {
          await seed(prisma, seedAccounts(readPrepare(env)), CHEAP_SCRYPT);
        } finally {
          await prisma.$disconnect();
        }
      },
      async stopSubgraph(name) {
        const stop = running.get(name);
        if (!stop) throw new Error(`subgraph ${name} is not running`);
        running.delete(name);
        await stop();
      },
      async restartSubgraph(name) {
        if (running.has(name)) throw new Error(`subgraph ${name} is running`);
        await subgraph(name, builders.get(name)!, Number(new URL(services[name].url).port));
      },
      call: (query, variables, token, baseUrl = gatewayUrl) => graphql(baseUrl, query, variables, token),
      stop: stopAll,
    };
    return stack;
  } catch (err) {
    await stopAll();
    await database?.drop();
    throw err;
  }
}
