import { AMQP_URL, DATABASE_URL, REDIS_PREFIX, REDIS_URL } from "./variables/backing.js";
import { MAX_BODY_BYTES } from "./variables/limits.js";
import { HOST, LOG_LEVEL, METRICS_TOKEN, NODE_ENV, SERVICE_PORTS, TRUST_PROXY, type TrustProxy } from "./variables/services.js";
import { ACCESS_TOKEN_TTL, JWT_AUDIENCE, JWT_ISSUER } from "./variables/tokens.js";
import type { Env } from "./variable.js";
import { OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER_ARG } from "./variables/telemetry.js";
import type { ServiceName } from "./subgraphNames.js";

export type { ServiceName };

/** The services, their default ports and the variables that override them. */
export const SERVICES = Object.fromEntries(
  Object.entries(SERVICE_PORTS).map(([name, variable]) => [name, { port: variable.read({}), portVariable: variable.name }]),
) as Record<ServiceName, { port: number; portVariable: string }>;

/** Connection settings of the backing services. */
export interface BackingServices {
  /** `DATABASE_URL`, default `postgresql://postgres@127.0.0.1:5432/batch_supergraph`. */
  databaseUrl: string;
  /** `REDIS_URL`, default `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** `AMQP_URL`, default `amqp://guest:guest@127.0.0.1:5672`. */
  amqpUrl: string;
}

export function readBackingServices(env: Env): BackingServices {
  return { databaseUrl: DATABASE_URL.read(env), redisUrl: REDIS_URL.read(env), amqpUrl: AMQP_URL.read(env) };
}

/** How a service records traces (OpenTelemetry). */
export interface TracingSettings {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: OTLP/HTTP base URL; undefined turns tracing off. */
  endpoint: string | undefined;
  /** `OTEL_TRACES_SAMPLER_ARG`, default 1: the share of new traces recorded. */
  ratio: number;
  /** `OTEL_SERVICE_NAME`, default the service's name. */
  serviceName: string;
}

/** Settings every service reads. */
export interface ServiceConfig {
  service: ServiceName;
  /** `HOST`, the interface to listen on, default `127.0.0.1` (`0.0.0.0` in containers). */
  host: string;
  /** `<NAME>_PORT` (for example `AUTH_PORT`), default 8000 for the gateway, 8001 on for the subgraphs; `0` picks a free port. */
  port: number;
  /** `NODE_ENV === "production"`: no landing page, no introspection, no schema hints, no demo data. */
  production: boolean;
  /** `LOG_LEVEL`, default `info`. */
  logLevel: string;
  /** `REDIS_URL`, default `redis://127.0.0.1:6379`. */
  redisUrl: string;
  /** `REDIS_PREFIX`, prefix of every Redis key and channel, default `batch:`. */
  redisPrefix: string;
  /** `JWT_ISSUER`, default `batch-supergraph-auth`. */
  issuer: string;
  /** `JWT_AUDIENCE`, default `batch-supergraph`. */
  audience: string;
  /** `ACCESS_TOKEN_TTL` in seconds, default 900 (15 minutes). */
  accessTokenTtlSeconds: number;
  /** `OTEL_*`: where traces go (tracing is off without an endpoint), what share is sampled, under which service name. */
  tracing: TracingSettings;
  /** `METRICS_TOKEN`, default unset: `/metrics` then answers without a token (except the gateway's in production). */
  metricsToken: string | undefined;
  /** `MAX_BODY_BYTES`, default 1 MiB: the largest GraphQL request body; larger is 413 `PAYLOAD_TOO_LARGE`. */
  bodyBytes: number;
  /** `TRUST_PROXY`: whose `X-Forwarded-For` names the client; `false` for none (the socket's address). */
  trustProxy: TrustProxy | false;
}

/** What every service reads; `trustProxy` is the service's own default for an unset `TRUST_PROXY`. */
export function readServiceSettings(service: ServiceName, env: Env, trustProxy: TrustProxy | false): ServiceConfig {
  return {
    service,
    host: HOST.read(env),
    port: SERVICE_PORTS[service].read(env),
    production: NODE_ENV.read(env),
    logLevel: LOG_LEVEL.read(env),
    redisUrl: REDIS_URL.read(env),
    redisPrefix: REDIS_PREFIX.read(env),
    issuer: JWT_ISSUER.read(env),
    audience: JWT_AUDIENCE.read(env),
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL.read(env),
    metricsToken: METRICS_TOKEN.read(env),
    tracing: {
      endpoint: OTEL_EXPORTER_OTLP_ENDPOINT.read(env),
      ratio: OTEL_TRACES_SAMPLER_ARG.read(env),
      serviceName: OTEL_SERVICE_NAME.read(env) ?? service,
    },
    bodyBytes: MAX_BODY_BYTES.read(env),
    trustProxy: TRUST_PROXY.read(env) ?? trustProxy,
  };
}
