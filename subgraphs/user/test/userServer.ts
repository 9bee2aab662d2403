import { randomBytes, type KeyObject } from "node:crypto";
import { inject } from "vitest";
import type { Role, User } from "../../../generated/prisma/client.js";
import { signAccessToken } from "../../../lib/auth/tokens.js";
import { SERVICES, type ConfigOf, type Env } from "../../../lib/config.js";
import { listen } from "../../../lib/server/http.js";
import { createRuntime, type Runtime, type SubgraphName } from "../../../lib/server/runtime.js";
import type { SubgraphServer } from "../../../lib/server/subgraph.js";
import { graphql, type GraphQLResult } from "../../../test/support/graphql.js";
import { createUserServer } from "../src/server.js";

/** Where the auth subgraph (or its stand-in) is, and the key its JWKS publishes. */
export interface AuthEndpoint {
  url: string;
  privateKey: KeyObject;
  kid: string;
}

/** The user subgraph running in this process on a free port. */
export interface TestUserServer {
  url: string;
  runtime: Runtime;
  /** Signs a token for `user` as the auth subgraph would, with the key it publishes. */
  tokenFor: (user: Pick<User, "id" | "email" | "roles">) => string;
  /** Runs one operation against it. */
  call: (query: string, variables?: Record<string, unknown>, token?: string) => Promise<GraphQLResult>;
  stop(): Promise<void>;
}

/** A Redis key prefix of this run that no other server shares. */
export const newRedisPrefix = () => `${inject("redisPrefix")}user-${randomBytes(3).toString("hex")}:`;

/** A subgraph started in this process on a free port, on this run's database. */
export async function startInProcess<N extends SubgraphName>(
  name: N,
  build: (runtime: Runtime<ConfigOf[N]>) => SubgraphServer,
  env: Env,
): Promise<{ url: string; runtime: Runtime<ConfigOf[N]>; stop(): Promise<void> }> {
  const runtimeEnv: Env = {
    ...process.env,
    DATABASE_URL: inject("databaseUrl"),
    [SERVICES[name].portVariable]: "0",
    LOG_LEVEL: "silent",
    ...env,
  };
  const runtime = await createRuntime(name, runtimeEnv);
  try {
    const server = build(runtime);
    await server.start();
    const url = await listen(server.httpServer, 0, "127.0.0.1", runtime.logger);
    return { url, runtime, stop: () => server.stop().finally(() => runtime.close()) };
  } catch (err) {
    await runtime.close();
    throw err;
  }
}

/**
 * Starts the user subgraph with `auth` as the auth subgraph (JWKS and sagas). `redisPrefix`
 * must be auth's when a test relies on auth's revocations.
 */
export async function startUserServer(auth: AuthEndpoint, redisPrefix = newRedisPrefix()): Promise<TestUserServer> {
  const started = await startInProcess("user", createUserServer, { REDIS_PREFIX: redisPrefix, AUTH_URL: auth.url });
  const { issuer, audience } = started.runtime.config;
  return {
    ...started,
    tokenFor: (user) => signAccessToken(user, { privateKey: auth.privateKey, kid: auth.kid, issuer, audience, ttlSeconds: 300 }),
    call: (query, variables, token) => graphql(started.url, query, variables, token),
  };
}

/** A tag unique to one test, to put in emails and names so that searches see only its rows. */
export const uniqueTag = () => `t${randomBytes(4).toString("hex")}`;

/** Inserts a user straight into the database, the way a test sets the scene. */
export function insertUser(
  runtime: Runtime,
  fields: { email: string; name?: string; roles?: Role[]; active?: boolean; department?: string },
): Promise<User> {
  return runtime.prisma.user.create({ data: { name: fields.email.split("@")[0]!, roles: ["VIEWER"], ...fields } });
}
