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

function read(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === "" ? fallback : value;
}

function readUrl(env: Env, name: string, fallback: string, protocols: string[]): string {
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
