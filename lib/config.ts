/**
 * Typed configuration read from the environment. Every variable has a documented default for
 * local development; a malformed value fails at start with the variable's name.
 */

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
  }
}

export function read(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === "" ? fallback : value;
}

export function readUrl(env: Env, name: string, fallback: string, protocols: string[]): string {
  const value = read(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `not a URL: ${JSON.stringify(value)}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `expected ${protocols.join(" or ")} URL, got ${parsed.protocol}`);
  }
  return value;
}

/** Connection settings of the backing services shared by every process. */
export interface BackingServices {
  /** `DATABASE_URL`, default `postgresql://postgres@127.0.0.1:5432/batch_supergraph`. */
  databaseUrl: string;
  /** `REDIS_URL`, default `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** `AMQP_URL`, default `amqp://guest:guest@127.0.0.1:5672`. */
  amqpUrl: string;
}

export function readBackingServices(env: Env = process.env): BackingServices {
  return {
    databaseUrl: readUrl(env, "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/batch_supergraph", [
      "postgresql:",
      "postgres:",
    ]),
    redisUrl: readUrl(env, "REDIS_URL", "redis://127.0.0.1:6379", ["redis:", "rediss:"]),
    amqpUrl: readUrl(env, "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672", ["amqp:", "amqps:"]),
  };
}

export function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name, String(fallback));
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** The four services, their default ports and the variables that override them. */
export const SERVICES = {
  gateway: { port: 8000, portVariable: "GATEWAY_PORT", urlVariable: "GATEWAY_URL" },
  auth: { port: 8001, portVariable: "AUTH_PORT", urlVariable: "AUTH_URL" },
  user: { port: 8002, portVariable: "USER_PORT", urlVariable: "USER_URL" },
  production: { port: 8003, portVariable: "PRODUCTION_PORT", urlVariable: "PRODUCTION_URL" },
} as const;

export type ServiceName = keyof typeof SERVICES;

/** Settings every service reads. */
export interface ServiceConfig extends BackingServices {
  /** `HOST`, the interface to listen on, default `127.0.0.1` (`0.0.0.0` in containers). */
  host: string;
  /** `<NAME>_PORT` (for example `AUTH_PORT`), default 8000–8003; `0` picks a free port. */
  port: number;
  /** `NODE_ENV === "production"`: no landing page, no introspection, no demo data. */
  production: boolean;
  /** `REDIS_PREFIX`, prefix of every Redis key and channel, default `batch:`. */
  redisPrefix: string;
  /** `JWT_ISSUER`, default `batch-supergraph-auth`. */
  issuer: string;
  /** `JWT_AUDIENCE`, default `batch-supergraph`. */
  audience: string;
  /** `ACCESS_TOKEN_TTL` in seconds, default 900 (15 minutes). */
  accessTokenTtlSeconds: number;
  /** `AUTH_URL`, where the auth subgraph is reached (JWKS, sagas), default `http://127.0.0.1:8001`. */
  authUrl: string;
}

/** Base URL of a service from `<NAME>_URL`, default `http://127.0.0.1:<default port>`. */
export function serviceUrl(name: ServiceName, env: Env = process.env): string {
  const { port, urlVariable } = SERVICES[name];
  return readUrl(env, urlVariable, `http://127.0.0.1:${port}`, ["http:", "https:"]).replace(/\/+$/, "");
}

export function readServiceConfig(name: ServiceName, env: Env = process.env): ServiceConfig {
  const { port, portVariable } = SERVICES[name];
  return {
    ...readBackingServices(env),
    host: read(env, "HOST", "127.0.0.1"),
    port: readInt(env, portVariable, port, 0, 65535),
    production: env.NODE_ENV === "production",
    redisPrefix: read(env, "REDIS_PREFIX", "batch:"),
    issuer: read(env, "JWT_ISSUER", "batch-supergraph-auth"),
    audience: read(env, "JWT_AUDIENCE", "batch-supergraph"),
    accessTokenTtlSeconds: readInt(env, "ACCESS_TOKEN_TTL", 900, 30, 86_400),
    authUrl: serviceUrl("auth", env),
  };
}
