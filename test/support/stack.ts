import { generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { inject } from "vitest";
import { SUBGRAPH_NAMES, type ServiceName } from "#lib/config.js";
import { deleteBrokerObjects } from "./broker.js";
import { freePorts } from "./ports.js";
import { startService, type RunningService } from "./services.js";

/** Every service (the gateway and each subgraph) running as a real process against this test run's database and Redis prefix. */
export type Stack = Record<ServiceName, RunningService> & {
  /** The signing key the auth subgraph uses, to forge tokens in tests. */
  privateKey: KeyObject;
  /** The environment every service got. */
  env: Record<string, string>;
  stop(): Promise<void>;
};

export interface StackOptions {
  /** Default: this run's database. */
  databaseUrl?: string;
  /** Default: this run's prefix plus a random part, so stacks of one run do not share Redis keys. */
  redisPrefix?: string;
  /** More variables for every service. */
  env?: Record<string, string>;
  /** The folder of a build (`npm run build`): the services run compiled, from there. */
  compiled?: string;
}

/** A new P-256 signing key, as the auth subgraph takes it in `JWT_PRIVATE_KEY`. */
export function newSigningKey(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
}

/**
 * Starts auth first (the others fetch its JWKS and call it), then the other subgraphs, then the
 * gateway pointed at them (`<NAME>_URL`), each on a free port, as `npm start` would.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const privateKey = newSigningKey();
  const env: Record<string, string> = {
    DATABASE_URL: options.databaseUrl ?? inject("databaseUrl"),
    REDIS_PREFIX: options.redisPrefix ?? `${inject("redisPrefix")}${randomBytes(3).toString("hex")}:`,
    JWT_PRIVATE_KEY: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    // The secret the gateway asks auth for service tokens with (required in production).
    GATEWAY_SERVICE_SECRET: randomBytes(24).toString("hex"),
    // An exchange of its own: events of this stack never reach the shared `production.events`.
    EVENTS_EXCHANGE: `production.events.test-${process.pid}-${randomBytes(4).toString("hex")}`,
    // And a subscription queue of its own: stacks side by side never consume each other's events.
    SUBSCRIPTIONS_QUEUE: `production.subscriptions.test-${process.pid}-${randomBytes(4).toString("hex")}`,
    // The same for QA's decisions: a decision published to this stack reaches only this stack.
    QA_EVENTS_EXCHANGE: `qa.events.test-${process.pid}-${randomBytes(4).toString("hex")}`,
    QA_DECISIONS_QUEUE: `production.qa-decisions.test-${process.pid}-${randomBytes(4).toString("hex")}`,
    QA_SUBSCRIPTIONS_QUEUE: `qa.subscriptions.test-${process.pid}-${randomBytes(4).toString("hex")}`,
    ...options.env,
  };
  const started: RunningService[] = [];
  const start = async (name: Parameters<typeof startService>[0], extra: Record<string, string> = {}) => {
    const service = await startService(name, { ...env, ...extra }, { compiled: options.compiled });
    started.push(service);
    return service;
  };
  try {
    // Every subgraph's port is chosen first, so that each knows where the others are (qa calls production).
    const names = SUBGRAPH_NAMES.filter((name) => name !== "auth");
    const ports = await freePorts(names.length);
    const urls = Object.fromEntries(names.map((name, i) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[i]}`]));
    const auth = await start("auth");
    Object.assign(env, urls, { AUTH_URL: auth.url });
    const others = await Promise.all(names.map((name, i) => start(name, { [`${name.toUpperCase()}_PORT`]: String(ports[i]) })));
    const gateway = await start("gateway");
    return {
      ...(Object.fromEntries(others.map((service) => [service.name, service])) as Record<Exclude<ServiceName, "gateway" | "auth">, RunningService>),
      gateway,
      auth,
      privateKey,
      env,
      stop: async () => {
        await Promise.all(started.map((s) => s.stop()));
        // Only the names this stack made up: given ones belong to the caller.
        await deleteBrokerObjects({
          exchange: options.env?.EVENTS_EXCHANGE ? undefined : env.EVENTS_EXCHANGE,
          queue: options.env?.SUBSCRIPTIONS_QUEUE ? undefined : env.SUBSCRIPTIONS_QUEUE,
          qaExchange: options.env?.QA_EVENTS_EXCHANGE ? undefined : env.QA_EVENTS_EXCHANGE,
          qaQueue: options.env?.QA_DECISIONS_QUEUE ? undefined : env.QA_DECISIONS_QUEUE,
          qaSubscriptionsQueue: options.env?.QA_SUBSCRIPTIONS_QUEUE ? undefined : env.QA_SUBSCRIPTIONS_QUEUE,
        });
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
}
