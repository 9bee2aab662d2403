import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { inject } from "vitest";
import type { Role } from "#lib/auth/scopes.js";
import { keyId, signAccessToken } from "#lib/auth/tokens.js";
import type { Runtime } from "#lib/server/runtime.js";
import { graphql, type GraphQLResult } from "../../../test/support/graphql.js";
import { startInProcessSubgraph } from "../../../test/support/inProcessSubgraph.js";
import { insertAccount } from "../../../test/support/accounts.js";
import { createAuthServer } from "../src/server.js";

/** A user inserted for one test. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  roles: Role[];
}

/** What a test user is made of; each field has a default. */
export interface NewUser {
  /** Default `["VIEWER"]`. */
  roles?: Role[];
  /** Default true. */
  active?: boolean;
  /** Default a random one; `null` for a user without a password. */
  password?: string | null;
}

/** The auth subgraph running in process on a free port against this run's database and Redis. */
export interface AuthHarness {
  url: string;
  runtime: Runtime;
  privateKey: KeyObject;
  /** Every line the subgraph logged, parsed; kept instead of printed. */
  logs: Array<Record<string, unknown>>;
  /** Runs one operation against `/graphql`. */
  call<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResult<T>>;
  /** Inserts a user (unique email) with a password, unless `password: null`. */
  createUser(options?: NewUser): Promise<TestUser>;
  /** An access token signed with the subgraph's key, without logging in. */
  tokenFor(user: Pick<TestUser, "id" | "email" | "roles">): string;
  stop(): Promise<void>;
}

/** Starts the subgraph; `env` adds variables (for example `LOGIN_MAX_FAILURES`). */
export async function startAuth(env: Record<string, string> = {}): Promise<AuthHarness> {
  const privateKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const { url, runtime, logs, stop } = await startInProcessSubgraph(
    "auth",
    createAuthServer,
    {
      REDIS_PREFIX: `${inject("redisPrefix")}auth-${randomBytes(3).toString("hex")}:`,
      JWT_PRIVATE_KEY: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
      ...env,
    },
    "debug",
  );
  const { issuer, audience, accessTokenTtlSeconds } = runtime.config;
  const harness: AuthHarness = {
    url,
    runtime,
    privateKey,
    logs,
    call: (query, variables, token) => graphql(url, query, variables, token),
    createUser: (user: NewUser = {}) => insertAccount(runtime.prisma, user),
    tokenFor: (user) => signAccessToken(user, { privateKey, kid: keyId(createPublicKey(privateKey)), issuer, audience, ttlSeconds: accessTokenTtlSeconds }),
    stop,
  };
  return harness;
}

export const LOGIN = /* GraphQL */ `
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) { accessToken tokenType expiresIn refreshToken refreshExpiresIn userId }
  }
`;

export const REFRESH = /* GraphQL */ `
  mutation Refresh($refreshToken: String!) {
    refreshToken(refreshToken: $refreshToken) { accessToken refreshToken userId }
  }
`;

export const VERIFY = /* GraphQL */ `
  query Verify($token: String!) { verifyToken(token: $token) { valid reason userId email roles scopes expiresAt } }
`;

/** Logs in and returns the payload; fails the test with the errors otherwise. */
export async function login(auth: AuthHarness, user: Pick<TestUser, "email" | "password">) {
  const result = await auth.call(LOGIN, { email: user.email, password: user.password });
  if (!result.data?.login) throw new Error(`login failed: ${JSON.stringify(result.errors)}`);
  return result.data.login as { accessToken: string; refreshToken: string; userId: string; expiresIn: number; refreshExpiresIn: number; tokenType: string };
}
