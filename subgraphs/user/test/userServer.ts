import { randomBytes, type KeyObject } from "node:crypto";
import { inject } from "vitest";
import type { Role, User } from "../../../generated/prisma/client.js";
import { signAccessToken } from "#lib/auth/tokens.js";
import type { Runtime } from "#lib/server/runtime.js";
import { graphql, type GraphQLResult } from "../../../test/support/graphql.js";
import { startInProcessSubgraph } from "../../../test/support/inProcessSubgraph.js";
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

/**
 * Starts the user subgraph with `auth` as the auth subgraph (JWKS and sagas). `redisPrefix`
 * must be auth's when a test relies on auth's revocations.
 */
export async function startUserServer(auth: AuthEndpoint, redisPrefix = newRedisPrefix()): Promise<TestUserServer> {
  const started = await startInProcessSubgraph("user", createUserServer, { REDIS_PREFIX: redisPrefix, AUTH_URL: auth.url });
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
export function insertUser(runtime: Runtime, fields: { email: string; name?: string; roles?: Role[]; active?: boolean; department?: string }): Promise<User> {
  return runtime.prisma.user.create({ data: { name: fields.email.split("@")[0]!, roles: ["VIEWER"], ...fields } });
}
