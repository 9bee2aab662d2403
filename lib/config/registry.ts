import type { Variable } from "./variable.js";
import * as backing from "./variables/backing.js";
import * as events from "./variables/events.js";
import * as limits from "./variables/limits.js";
import * as rateLimits from "./variables/rateLimits.js";
import * as seed from "./variables/seed.js";
import * as serviceTokens from "./variables/serviceTokens.js";
import * as services from "./variables/services.js";
import * as signIn from "./variables/signIn.js";
import * as subgraphCalls from "./variables/subgraphCalls.js";
import * as telemetry from "./variables/telemetry.js";
import * as tokens from "./variables/tokens.js";
import * as websockets from "./variables/websockets.js";

/**
 * Every environment variable the project reads, in the order of the README's Configuration
 * table (`npm run docs:config` writes it from this list). A service reads its variables only
 * through its configuration reader (`gateway.ts`, `subgraphs.ts`, `prepare.ts`), which takes
 * them from `variables/`; `registry.test.ts` fails when one is read but not listed here.
 * Each entry names the module of `variables/` that defines it.
 */
export const VARIABLES: readonly Variable<unknown>[] = [
  // Backing services and where the services are.
  backing.DATABASE_URL,
  backing.REDIS_URL,
  backing.AMQP_URL,
  backing.REDIS_PREFIX,
  services.HOST,
  ...Object.values(services.SERVICE_PORTS),
  ...Object.values(services.SUBGRAPH_URLS),
  subgraphCalls.SUPERGRAPH_PATH,
  services.NODE_ENV,
  services.LOG_LEVEL,
  // Tokens and sign-in.
  tokens.JWT_PRIVATE_KEY,
  tokens.JWT_PRIVATE_KEY_FILE,
  tokens.JWT_ISSUER,
  tokens.JWT_AUDIENCE,
  tokens.ACCESS_TOKEN_TTL,
  tokens.REFRESH_TOKEN_TTL,
  serviceTokens.GATEWAY_SERVICE_SECRET,
  serviceTokens.SERVICE_TOKEN_TTL,
  signIn.SESSION_PURGE_INTERVAL,
  signIn.LOGIN_MAX_FAILURES,
  signIn.LOGIN_MAX_DELAY,
  signIn.LOGIN_FAILURE_WINDOW,
  signIn.DEVICE_TOKEN_TTL,
  signIn.PASSWORD_HASH_CONCURRENCY,
  signIn.PASSWORD_HASH_QUEUE,
  seed.ADMIN_EMAIL,
  seed.ADMIN_PASSWORD,
  // Limits of every port.
  limits.MAX_DEPTH,
  limits.MAX_ALIASES,
  limits.MAX_ROOT_FIELDS,
  limits.MAX_DIRECTIVES,
  limits.MAX_TOKENS,
  limits.MAX_COST,
  limits.MAX_BODY_BYTES,
  limits.APQ_MAX_QUERY_BYTES,
  rateLimits.RATE_LIMIT_WINDOW,
  rateLimits.RATE_LIMIT_USER,
  rateLimits.RATE_LIMIT_ANONYMOUS,
  rateLimits.RATE_LIMIT_LOGIN,
  rateLimits.SUBGRAPH_RATE_LIMIT_WINDOW,
  rateLimits.SUBGRAPH_RATE_LIMIT_USER,
  rateLimits.SUBGRAPH_RATE_LIMIT_ANONYMOUS,
  limits.MAX_REPRESENTATIONS,
  services.TRUST_PROXY,
  services.METRICS_TOKEN,
  telemetry.OTEL_EXPORTER_OTLP_ENDPOINT,
  telemetry.OTEL_TRACES_SAMPLER_ARG,
  telemetry.OTEL_SERVICE_NAME,
  // The gateway's calls to the subgraphs.
  subgraphCalls.SUBGRAPH_TIMEOUT_MS,
  subgraphCalls.OWN_SUBGRAPH_TIMEOUTS,
  subgraphCalls.SUBGRAPH_RETRIES,
  subgraphCalls.SUBGRAPH_BREAKER_FAILURES,
  subgraphCalls.SUBGRAPH_BREAKER_RESET_MS,
  subgraphCalls.SUBGRAPH_CONNECTIONS,
  // Subscriptions and events.
  websockets.WS_MAX_PAYLOAD_BYTES,
  websockets.WS_MAX_SUBSCRIPTIONS,
  websockets.WS_CONNECTION_INIT_TIMEOUT_MS,
  websockets.SUBSCRIPTION_AUTH_RECHECK_MS,
  websockets.SUBSCRIPTION_BUFFER,
  events.EVENTS_EXCHANGE,
  events.SUBSCRIPTIONS_QUEUE,
  events.QA_EVENTS_EXCHANGE,
  events.QA_SUBSCRIPTIONS_QUEUE,
  events.QA_DECISIONS_QUEUE,
  events.EVENTS_MAX_BYTES,
  events.EVENTS_MAX_DEPTH,
  events.EVENTS_MAX_ATTEMPTS,
  events.EVENTS_RETRY_DELAY_MS,
];
