import { readOperationLimits, type OperationLimits } from "./operationLimits.js";
import { readServiceSettings, type ServiceConfig } from "./service.js";
import type { Env } from "./variable.js";
import { APQ_MAX_QUERY_BYTES } from "./variables/limits.js";
import { RATE_LIMIT_ANONYMOUS, RATE_LIMIT_LOGIN, RATE_LIMIT_USER, RATE_LIMIT_WINDOW } from "./variables/rateLimits.js";
import { AUTH_URL, SUBGRAPH_URLS } from "./variables/services.js";
import type { SubgraphName } from "./subgraphNames.js";
import {
  OWN_SUBGRAPH_TIMEOUTS,
  SUBGRAPH_BREAKER_FAILURES,
  SUBGRAPH_BREAKER_RESET_MS,
  SUBGRAPH_CONNECTIONS,
  SUBGRAPH_RETRIES,
  SUBGRAPH_TIMEOUT_MS,
  SUPERGRAPH_PATH,
} from "./variables/subgraphCalls.js";
import { readServiceSecret } from "./variables/serviceTokens.js";
import { SUBSCRIPTION_BUFFER } from "./variables/websockets.js";
import { readWebSocketSettings, type WebSocketSettings } from "./websockets.js";

/** Requests allowed per window; counted in Redis, so every instance shares them. */
export interface RateLimits {
  /** Window in seconds: `RATE_LIMIT_WINDOW` (default 60), `SUBGRAPH_RATE_LIMIT_WINDOW` on a subgraph. */
  windowSeconds: number;
  /** Calls per window per signed-in user: `RATE_LIMIT_USER` (default 600), `SUBGRAPH_RATE_LIMIT_USER` (3000). */
  user: number;
  /** Calls per window per client IP without a valid token: `RATE_LIMIT_ANONYMOUS` (default 120), `SUBGRAPH_RATE_LIMIT_ANONYMOUS` (240). */
  anonymous: number;
}

/** How the gateway calls each subgraph. */
export interface SubgraphCallSettings {
  /** `SUBGRAPH_TIMEOUT_MS` (or `<NAME>_SUBGRAPH_TIMEOUT_MS` for one subgraph), default 5000: one call, retries included. */
  timeoutMs: number;
  /** `SUBGRAPH_RETRIES`, default 2: extra attempts of a query whose connection failed (never a mutation). */
  retries: number;
  /** `SUBGRAPH_BREAKER_FAILURES`, default 5: consecutive failed calls that open the circuit. */
  breakerFailures: number;
  /** `SUBGRAPH_BREAKER_RESET_MS`, default 5000: how long an open circuit fails fast before one trial call. */
  breakerResetMs: number;
  /** `SUBGRAPH_CONNECTIONS`, default 64: keep-alive connections per subgraph. */
  connections: number;
}

/** The subgraphs that are ours, whose URL comes from `<NAME>_URL` rather than the supergraph. */
export type OwnSubgraph = SubgraphName;

export interface GatewayConfig extends ServiceConfig {
  /** `AUTH_URL`: where the JWKS is read. */
  authUrl: string;
  /** `<NAME>_URL` (`AUTH_URL`, `USER_URL`, …): where the gateway calls our subgraphs (without `/graphql`). */
  subgraphUrls: Record<OwnSubgraph, string>;
  /** `SUPERGRAPH_PATH`, absolute, default `./supergraph.graphql`. */
  supergraphPath: string;
  /** `MAX_*`: checked before any query plan is built. */
  limits: Required<OperationLimits>;
  /** `RATE_LIMIT_*`; `login` is `RATE_LIMIT_LOGIN`, default 10 a window per client IP (GraphQL or REST). */
  rateLimits: RateLimits & { login: number };
  /** `APQ_MAX_QUERY_BYTES`, default 16384: the largest query stored as an automatic persisted query. */
  apqMaxQueryBytes: number;
  /** `SUBGRAPH_*`, and the timeouts of single subgraphs by upper-case name (`AUTH_SUBGRAPH_TIMEOUT_MS`). */
  subgraphCalls: SubgraphCallSettings & { ownTimeouts: Readonly<Record<string, number>> };
  /** `WS_*`, `SUBSCRIPTION_AUTH_RECHECK_MS`. */
  websockets: WebSocketSettings;
  /** `SUBSCRIPTION_BUFFER`, default 256: results a subscriber may leave unread before its socket is closed with 4008. */
  subscriptionBuffer: number;
  /** `GATEWAY_SERVICE_SECRET`: the gateway's client secret for service tokens (a development default; required in production). */
  serviceSecret: string;
}

/** The gateway's configuration; a malformed variable throws a `ConfigError` naming it. */
export function readGatewayConfig(env: Env): GatewayConfig {
  const authUrl = AUTH_URL.read(env);
  const settings = readServiceSettings("gateway", env, false);
  return {
    // The gateway's port is public: unless `TRUST_PROXY` names its proxy, the socket's address is the client's.
    ...settings,
    authUrl,
    subgraphUrls: Object.fromEntries(Object.entries(SUBGRAPH_URLS).map(([name, variable]) => [name, variable.read(env)])) as Record<OwnSubgraph, string>,
    supergraphPath: SUPERGRAPH_PATH.read(env),
    limits: readOperationLimits(env),
    rateLimits: {
      windowSeconds: RATE_LIMIT_WINDOW.read(env),
      user: RATE_LIMIT_USER.read(env),
      anonymous: RATE_LIMIT_ANONYMOUS.read(env),
      login: RATE_LIMIT_LOGIN.read(env),
    },
    apqMaxQueryBytes: APQ_MAX_QUERY_BYTES.read(env),
    subgraphCalls: {
      timeoutMs: SUBGRAPH_TIMEOUT_MS.read(env),
      ownTimeouts: OWN_SUBGRAPH_TIMEOUTS.read(env),
      retries: SUBGRAPH_RETRIES.read(env),
      breakerFailures: SUBGRAPH_BREAKER_FAILURES.read(env),
      breakerResetMs: SUBGRAPH_BREAKER_RESET_MS.read(env),
      connections: SUBGRAPH_CONNECTIONS.read(env),
    },
    websockets: readWebSocketSettings(env),
    subscriptionBuffer: SUBSCRIPTION_BUFFER.read(env),
    serviceSecret: readServiceSecret(env, settings.production),
  };
}

/** How the gateway calls the subgraph `name`: its own timeout when `<NAME>_SUBGRAPH_TIMEOUT_MS` is set. */
export function subgraphCallSettings(config: GatewayConfig, name: string): SubgraphCallSettings {
  const { ownTimeouts, ...settings } = config.subgraphCalls;
  return { ...settings, timeoutMs: ownTimeouts[name.toUpperCase()] ?? settings.timeoutMs };
}
