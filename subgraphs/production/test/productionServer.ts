import { randomBytes, randomUUID } from "node:crypto";
import { inject } from "vitest";
import type { Role } from "#lib/auth/scopes.js";
import { signAccessToken } from "#lib/auth/tokens.js";
import type { Runtime } from "#lib/server/runtime.js";
import { graphql, type GraphQLResult } from "../../../test/support/graphql.js";
import { startInProcessSubgraph } from "../../../test/support/inProcessSubgraph.js";
import { createProductionServer, type ProductionServerOptions } from "../src/server.js";
import type { JwksServer } from "./jwksServer.js";

/** A caller of the tests: a user id (no user row is needed here) and a signed token. */
export interface Caller {
  userId: string;
  token: string;
}

/** The production subgraph running in this process on a free port. */
export interface TestProductionServer {
  url: string;
  runtime: Runtime;
  /** Every line it logged from `logLevel` on, parsed (kept, not printed). */
  logs: Array<Record<string, unknown>>;
  /** A new user with `role`, signed in. */
  signIn(role: Role): Caller;
  /** Runs one operation against it. */
  call: (query: string, variables?: Record<string, unknown>, token?: string, headers?: Record<string, string>) => Promise<GraphQLResult>;
  stop(): Promise<void>;
}

export interface StartOptions extends ProductionServerOptions {
  /** Default: this run's database. */
  databaseUrl?: string;
  /** More variables for the runtime (`AMQP_URL` through a proxy, say). */
  env?: Record<string, string>;
  /** The lowest level kept in `logs`; default none. */
  logLevel?: string;
}

/**
 * Starts the production subgraph on this run's database (or `databaseUrl`), with `auth` as the
 * auth subgraph whose JWKS it trusts. No relay unless `relay` is given: the tests that check
 * events run one against a database of their own, where no other relay competes. No QA decision
 * consumer unless `qaDecisions` is given (with an exchange and queue of the test's own).
 */
export async function startProductionServer(auth: JwksServer, options: StartOptions = {}): Promise<TestProductionServer> {
  const { url, runtime, logs, stop } = await startInProcessSubgraph(
    "production",
    (runtime) => createProductionServer(runtime, { relay: options.relay ?? false, subscriptions: false, qaDecisions: options.qaDecisions ?? false }),
    {
      DATABASE_URL: options.databaseUrl ?? inject("databaseUrl"),
      REDIS_PREFIX: `${inject("redisPrefix")}production-${randomBytes(3).toString("hex")}:`,
      AUTH_URL: auth.url,
      ...options.env,
    },
    options.logLevel,
  );
  const { issuer, audience } = runtime.config;
  return {
    url,
    runtime,
    logs,
    signIn(role) {
      const userId = randomUUID();
      const user = { id: userId, email: `${role.toLowerCase()}.${userId.slice(0, 8)}@example.com`, roles: [role] };
      return { userId, token: signAccessToken(user, { privateKey: auth.privateKey, kid: auth.kid, issuer, audience, ttlSeconds: 600 }) };
    },
    call: (query, variables, token, headers) => graphql(url, query, variables, token, headers),
    stop,
  };
}

/** A batch number no other test uses. */
export const uniqueBatchNumber = (prefix = "B") => `${prefix}-${randomBytes(5).toString("hex").toUpperCase()}`;
