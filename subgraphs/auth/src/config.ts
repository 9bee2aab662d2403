import { availableParallelism } from "node:os";
import { read, readInt, type Env } from "../../../lib/config.js";

/** Settings only the auth subgraph reads; the shared ones are in `ServiceConfig`. */
export interface AuthSettings {
  /** `JWT_PRIVATE_KEY`: the EC P-256 signing key, PEM. Wins over the file. */
  privateKeyPem: string | undefined;
  /** `JWT_PRIVATE_KEY_FILE`: a file holding that PEM. */
  privateKeyFile: string | undefined;
  /** `REFRESH_TOKEN_TTL` in seconds, default 604800 (7 days). */
  refreshTokenTtlSeconds: number;
  /** `LOGIN_MAX_FAILURES`: failed logins of one account before it is locked, default 5. */
  loginMaxFailures: number;
  /** `LOGIN_FAILURE_WINDOW` in seconds: how long failures are counted (and the lock lasts), default 900. */
  loginFailureWindowSeconds: number;
  /** `SESSION_PURGE_INTERVAL` in seconds: how often ended sessions are deleted, default 3600. */
  sessionPurgeIntervalSeconds: number;
  /** `PASSWORD_HASH_CONCURRENCY`: password hashes computed at once, default the number of CPUs (at least 1). */
  passwordHashConcurrency: number;
  /** `PASSWORD_HASH_QUEUE`: password hashes waiting for a turn before sign-ins are refused as busy, default 16. */
  passwordHashQueue: number;
}

const optional = (env: Env, name: string) => read(env, name, "") || undefined;

/** Reads the auth settings; a malformed value throws a `ConfigError` naming the variable. */
export function readAuthSettings(env: Env = process.env): AuthSettings {
  return {
    privateKeyPem: optional(env, "JWT_PRIVATE_KEY"),
    privateKeyFile: optional(env, "JWT_PRIVATE_KEY_FILE"),
    refreshTokenTtlSeconds: readInt(env, "REFRESH_TOKEN_TTL", 7 * 86_400, 60, 366 * 86_400),
    loginMaxFailures: readInt(env, "LOGIN_MAX_FAILURES", 5, 1, 1_000),
    loginFailureWindowSeconds: readInt(env, "LOGIN_FAILURE_WINDOW", 15 * 60, 1, 86_400),
    sessionPurgeIntervalSeconds: readInt(env, "SESSION_PURGE_INTERVAL", 3_600, 1, 7 * 86_400),
    passwordHashConcurrency: readInt(env, "PASSWORD_HASH_CONCURRENCY", Math.max(1, availableParallelism()), 1, 256),
    passwordHashQueue: readInt(env, "PASSWORD_HASH_QUEUE", 16, 0, 10_000),
  };
}
