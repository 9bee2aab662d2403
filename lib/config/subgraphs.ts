import { ConfigError, type Env } from "./variable.js";
import type { SubgraphName } from "./subgraphNames.js";
import { readSubscriptionLimits, type OperationLimits } from "./operationLimits.js";
import { readServiceSettings, type BackingServices, type ServiceConfig } from "./service.js";
import { AMQP_URL, DATABASE_URL } from "./variables/backing.js";
import type { RateLimits } from "./gateway.js";
import { readWebSocketSettings, type WebSocketSettings } from "./websockets.js";
import {
  EVENTS_EXCHANGE,
  EVENTS_MAX_ATTEMPTS,
  EVENTS_MAX_BYTES,
  EVENTS_MAX_DEPTH,
  EVENTS_RETRY_DELAY_MS,
  QA_DECISIONS_QUEUE,
  QA_EVENTS_EXCHANGE,
  QA_SUBSCRIPTIONS_QUEUE,
  SUBSCRIPTIONS_QUEUE,
} from "./variables/events.js";
import { MAX_REPRESENTATIONS } from "./variables/limits.js";
import { SUBGRAPH_RATE_LIMIT_ANONYMOUS, SUBGRAPH_RATE_LIMIT_USER, SUBGRAPH_RATE_LIMIT_WINDOW } from "./variables/rateLimits.js";
import { AUTH_URL, PRODUCTION_URL, SUBGRAPH_TRUST_PROXY } from "./variables/services.js";
import {
  DEVICE_TOKEN_TTL,
  LOGIN_FAILURE_WINDOW,
  LOGIN_MAX_DELAY,
  LOGIN_MAX_FAILURES,
  PASSWORD_HASH_CONCURRENCY,
  PASSWORD_HASH_QUEUE,
  SESSION_PURGE_INTERVAL,
} from "./variables/signIn.js";
import { readServiceSecret, SERVICE_TOKEN_TTL } from "./variables/serviceTokens.js";
import { JWT_PRIVATE_KEY, JWT_PRIVATE_KEY_FILE, REFRESH_TOKEN_TTL } from "./variables/tokens.js";

/** What every subgraph reads: the common settings, its database, and what guards its port. */
export interface SubgraphConfig extends ServiceConfig, Pick<BackingServices, "databaseUrl"> {
  /** `SUBGRAPH_RATE_LIMIT_*`: calls per window on this subgraph's `/graphql` and `/api/*`. */
  rateLimits: RateLimits;
  /** `MAX_REPRESENTATIONS`, default 1000: entities one request may ask `_entities` for. */
  maxRepresentations: number;
}

/** The settings every subgraph reads, for subgraph `service`. */
export function readSubgraphConfig(service: SubgraphName, env: Env): SubgraphConfig {
  return {
    // The gateway calls from a local address and names its client in `X-Forwarded-For`.
    ...readServiceSettings(service, env, SUBGRAPH_TRUST_PROXY),
    databaseUrl: DATABASE_URL.read(env),
    rateLimits: {
      windowSeconds: SUBGRAPH_RATE_LIMIT_WINDOW.read(env),
      user: SUBGRAPH_RATE_LIMIT_USER.read(env),
      anonymous: SUBGRAPH_RATE_LIMIT_ANONYMOUS.read(env),
    },
    maxRepresentations: MAX_REPRESENTATIONS.read(env),
  };
}

/** Settings only the auth subgraph reads (see `variables/tokens.ts` and `variables/signIn.ts`). */
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

/** Reads the auth settings; a malformed value throws a `ConfigError` naming the variable. */
export function readAuthSettings(env: Env): AuthSettings {
  const loginMaxDelaySeconds = LOGIN_MAX_DELAY.read(env);
  const loginFailureWindowSeconds = LOGIN_FAILURE_WINDOW.read(env);
  // Failures forgotten before the longest delay is over would start every attacker afresh.
  if (loginFailureWindowSeconds < loginMaxDelaySeconds) {
    throw new ConfigError(LOGIN_FAILURE_WINDOW.name, `must be at least ${LOGIN_MAX_DELAY.name} (${loginMaxDelaySeconds}), got ${loginFailureWindowSeconds}`);
  }
  return {
    privateKeyPem: JWT_PRIVATE_KEY.read(env),
    privateKeyFile: JWT_PRIVATE_KEY_FILE.read(env),
    refreshTokenTtlSeconds: REFRESH_TOKEN_TTL.read(env),
    loginMaxFailures: LOGIN_MAX_FAILURES.read(env),
    loginMaxDelaySeconds,
    loginFailureWindowSeconds,
    deviceTokenTtlSeconds: DEVICE_TOKEN_TTL.read(env),
    sessionPurgeIntervalSeconds: SESSION_PURGE_INTERVAL.read(env),
    passwordHashConcurrency: PASSWORD_HASH_CONCURRENCY.read(env),
    passwordHashQueue: PASSWORD_HASH_QUEUE.read(env),
  };
}

/** The client-credentials grant of the gateway (`POST /oauth/token`). */
export interface ServiceTokenSettings {
  /** `GATEWAY_SERVICE_SECRET`: client `gateway`'s secret (a development default; required in production). */
  gatewaySecret: string;
  /** `SERVICE_TOKEN_TTL` in seconds, default 300; at most `ACCESS_TOKEN_TTL`. */
  ttlSeconds: number;
}

export interface AuthConfig extends SubgraphConfig {
  signIn: AuthSettings;
  serviceTokens: ServiceTokenSettings;
}

export function readAuthConfig(env: Env): AuthConfig {
  const subgraph = readSubgraphConfig("auth", env);
  const ttlSeconds = SERVICE_TOKEN_TTL.read(env);
  // Every verifier refuses a token meant to live longer than `ACCESS_TOKEN_TTL`.
  if (ttlSeconds > subgraph.accessTokenTtlSeconds) {
    throw new ConfigError(SERVICE_TOKEN_TTL.name, `must be at most ACCESS_TOKEN_TTL (${subgraph.accessTokenTtlSeconds}), got ${ttlSeconds}`);
  }
  return {
    ...subgraph,
    signIn: readAuthSettings(env),
    serviceTokens: { gatewaySecret: readServiceSecret(env, subgraph.production), ttlSeconds },
  };
}

export interface UserConfig extends SubgraphConfig {
  /** `AUTH_URL`: the JWKS, and the auth mutations of the user life cycle. */
  authUrl: string;
}

export const readUserConfig = (env: Env): UserConfig => ({ ...readSubgraphConfig("user", env), authUrl: AUTH_URL.read(env) });

/** How the event consumers (subscriptions, QA decisions) bound what they accept and how often they retry. */
export interface ConsumerSettings {
  /** `EVENTS_MAX_BYTES` (default 65536) and `EVENTS_MAX_DEPTH` (default 32): larger or deeper messages are dead-lettered at once. */
  limits: { maxBytes: number; maxDepth: number };
  /** `EVENTS_MAX_ATTEMPTS`, default 5: handling attempts of one message before it is dead-lettered. */
  maxAttempts: number;
  /** `EVENTS_RETRY_DELAY_MS`, default 1000: wait before the first retry; it doubles with each, up to 30 s. */
  retryDelayMs: number;
}

/** `EVENTS_MAX_*`, `EVENTS_RETRY_DELAY_MS`: the same for every consumer of a service. */
const readConsumerSettings = (env: Env): ConsumerSettings => ({
  limits: { maxBytes: EVENTS_MAX_BYTES.read(env), maxDepth: EVENTS_MAX_DEPTH.read(env) },
  maxAttempts: EVENTS_MAX_ATTEMPTS.read(env),
  retryDelayMs: EVENTS_RETRY_DELAY_MS.read(env),
});

/**
 * What a subgraph with events reads besides the common settings: RabbitMQ, auth, its events
 * (an exchange its outbox is relayed to, the queue feeding its subscriptions, the consumers'
 * limits) and its own graphql-ws server for the gateway's upstream subscriptions.
 */
export interface EventSubgraphConfig extends SubgraphConfig, Pick<BackingServices, "amqpUrl"> {
  /** `AUTH_URL`: the JWKS (and, for qa, the confirmation of electronic signatures). */
  authUrl: string;
  events: {
    /** The durable topic exchange: `EVENTS_EXCHANGE` (default `production.events`), `QA_EVENTS_EXCHANGE` (default `qa.events`). */
    exchange: string;
    /** The queue feeding subscriptions: `SUBSCRIPTIONS_QUEUE` (default `production.subscriptions`), `QA_SUBSCRIPTIONS_QUEUE` (default `qa.subscriptions`). */
    queue: string;
    consumer: ConsumerSettings;
  };
  /** `WS_*`, `SUBSCRIPTION_AUTH_RECHECK_MS`: the subgraph's own graphql-ws server. */
  websockets: WebSocketSettings;
  /** `MAX_*` but root fields: the subscriptions sent to its own WebSocket. */
  subscriptionLimits: OperationLimits;
}

function readEventSubgraphConfig(service: "production" | "qa", env: Env, events: { exchange: string; queue: string }): EventSubgraphConfig {
  return {
    ...readSubgraphConfig(service, env),
    amqpUrl: AMQP_URL.read(env),
    authUrl: AUTH_URL.read(env),
    events: { ...events, consumer: readConsumerSettings(env) },
    websockets: readWebSocketSettings(env),
    subscriptionLimits: readSubscriptionLimits(env),
  };
}

export interface ProductionConfig extends EventSubgraphConfig {
  /** QA's release and rejection decisions, applied by the decision consumer (limits: `events.consumer`). */
  qaDecisions: {
    /** `QA_EVENTS_EXCHANGE`, the QA service's durable topic exchange, default `qa.events`. */
    exchange: string;
    /** `QA_DECISIONS_QUEUE`, default `production.qa-decisions`: the queue the decisions are applied from. */
    queue: string;
  };
}

export function readProductionConfig(env: Env): ProductionConfig {
  return {
    ...readEventSubgraphConfig("production", env, { exchange: EVENTS_EXCHANGE.read(env), queue: SUBSCRIPTIONS_QUEUE.read(env) }),
    qaDecisions: { exchange: QA_EVENTS_EXCHANGE.read(env), queue: QA_DECISIONS_QUEUE.read(env) },
  };
}

export interface QaConfig extends EventSubgraphConfig {
  /** `PRODUCTION_URL`: the batches QA records against and decides on (their status and product). */
  productionUrl: string;
}

export function readQaConfig(env: Env): QaConfig {
  return {
    ...readEventSubgraphConfig("qa", env, { exchange: QA_EVENTS_EXCHANGE.read(env), queue: QA_SUBSCRIPTIONS_QUEUE.read(env) }),
    productionUrl: PRODUCTION_URL.read(env),
  };
}
