/**
 * The configuration module: every service's typed configuration, read from the environment
 * once at start through the registry of variables (`config/registry.ts`, which the README's
 * Configuration table is generated from). A malformed value fails at start with the
 * variable's name. Nothing outside `config/` reads `process.env`.
 */
import { processEnv } from "./config/environment.js";
import { readGatewayConfig, type GatewayConfig } from "./config/gateway.js";
import { readPrepareConfig } from "./config/prepare.js";
import { readBackingServices as readBacking } from "./config/service.js";
import * as subgraphs from "./config/subgraphs.js";
import type { Env } from "./config/variable.js";
import type { ServiceName } from "./config/service.js";

export { ConfigError, type Env, type Reader, type Variable } from "./config/variable.js";
export { processEnv } from "./config/environment.js";
export { SERVICES, type BackingServices, type ServiceConfig, type ServiceName, type TracingSettings } from "./config/service.js";
export { SUBGRAPH_NAMES, type SubgraphName } from "./config/subgraphNames.js";
export { subgraphCallSettings, type GatewayConfig, type OwnSubgraph, type RateLimits, type SubgraphCallSettings } from "./config/gateway.js";
export type * from "./config/subgraphs.js";
export { readAuthSettings } from "./config/subgraphs.js";
export type { OperationLimits } from "./config/operationLimits.js";
export { readOperationLimits } from "./config/operationLimits.js";
export type { WebSocketSettings } from "./config/websockets.js";
export type { PrepareConfig } from "./config/prepare.js";
export type { TrustProxy } from "./config/variables/services.js";

/** Each service's configuration type. */
export interface ConfigOf {
  gateway: GatewayConfig;
  auth: subgraphs.AuthConfig;
  user: subgraphs.UserConfig;
  production: subgraphs.ProductionConfig;
  qa: subgraphs.QaConfig;
}

const READERS: { [N in ServiceName]: (env: Env) => ConfigOf[N] } = {
  gateway: readGatewayConfig,
  auth: subgraphs.readAuthConfig,
  user: subgraphs.readUserConfig,
  production: subgraphs.readProductionConfig,
  qa: subgraphs.readQaConfig,
};

/** The configuration of service `name` from `env` (default the process's). */
export function readServiceConfig<N extends ServiceName>(name: N, env: Env = processEnv()): ConfigOf[N] {
  return READERS[name](env);
}

/** `DATABASE_URL`, `REDIS_URL`, `AMQP_URL` from `env` (default the process's). */
export const readBackingServices = (env: Env = processEnv()) => readBacking(env);

/** What `npm run db:prepare` reads, from `env` (default the process's). */
export const readPrepare = (env: Env = processEnv()) => readPrepareConfig(env);
