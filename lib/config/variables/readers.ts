import type { Reader } from "../variable.js";

/** Every service process. */
export const SERVICES: readonly Reader[] = ["gateway", "auth", "user", "production"];

/** The three subgraphs. */
export const SUBGRAPHS: readonly Reader[] = ["auth", "user", "production"];

/** The services that serve graphql-ws: the gateway, and the production subgraph for the gateway's upstreams. */
export const WEBSOCKET_SERVERS: readonly Reader[] = ["gateway", "production"];
