import { availableParallelism } from "node:os";
import { ConfigError, read, readInt, type Env } from "../../../lib/config.js";

/** Settings only the auth subgraph reads; the shared ones are in `ServiceConfig`. */
export interface AuthSettings {
  /** `JWT_PRIVATE_KEY`: the EC P-256 signing key, PEM. Wins over the file. */
  privateKeyPem: string | undefined;
  /** `JWT_PRIVATE_KEY_FILE`: a file holding that PEM. */
  privateKeyFile: string | undefined;
  /** `REFRESH_TOKEN_TTL` in seconds, default 604800 (7 days). */
  refreshTokenTtlSeconds: number;
  /** `LOGIN_MAX_FAILURES`: failed logins of an account (or a device) answered without delay, default 5. */
  loginMaxFailures: number;
  /** `LOGIN_MAX_DELAY` in seconds: the longest wait between attempts after repeated failures, default 900. */
  loginMaxDelaySeconds: number;
  /** `LOGIN_FAILURE_WINDOW` in seconds: failures are forgotten this long after the last one, default 86400; at least `LOGIN_MAX_DELAY`. */
  loginFailureWindowSeconds: number;
  /** `DEVICE_TOKEN_TTL` in seconds: how long a device token from a sign-in lets its device past the account's failure delays, default 2592000 (30 days). */
  deviceTokenTtlSeconds: number;
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
  const loginMaxDelaySeconds = readInt(env, "LOGIN_MAX_DELAY", 15 * 60, 1, 86_400);
  const loginFailureWindowSeconds = readInt(env, "LOGIN_FAILURE_WINDOW", 86_400, 1, 30 * 86_400);
  // Failures forgotten before the longest delay is over would start every attacker afresh.
  if (loginFailureWindowSeconds < loginMaxDelaySeconds) {
    throw new ConfigError("LOGIN_FAILURE_WINDOW", `must be at least LOGIN_MAX_DELAY (${loginMaxDelaySeconds}), got ${loginFailureWindowSeconds}`);
  }
  return {
    privateKeyPem: optional(env, "JWT_PRIVATE_KEY"),
    privateKeyFile: optional(env, "JWT_PRIVATE_KEY_FILE"),
    refreshTokenTtlSeconds: readInt(env, "REFRESH_TOKEN_TTL", 7 * 86_400, 60, 366 * 86_400),
    loginMaxFailures: readInt(env, "LOGIN_MAX_FAILURES", 5, 1, 1_000),
    loginMaxDelaySeconds,
    loginFailureWindowSeconds,
    deviceTokenTtlSeconds: readInt(env, "DEVICE_TOKEN_TTL", 30 * 86_400, 60, 366 * 86_400),
    sessionPurgeIntervalSeconds: readInt(env, "SESSION_PURGE_INTERVAL", 3_600, 1, 7 * 86_400),
    passwordHashConcurrency: readInt(env, "PASSWORD_HASH_CONCURRENCY", Math.max(1, availableParallelism()), 1, 256),
    passwordHashQueue: readInt(env, "PASSWORD_HASH_QUEUE", 16, 0, 10_000),
  };
}
