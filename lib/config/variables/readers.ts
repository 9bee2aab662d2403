import { SUBGRAPH_NAMES } from "../subgraphNames.js";
import type { Reader } from "../variable.js";

/** Every service process. */
export const SERVICES: readonly Reader[] = ["gateway", ...SUBGRAPH_NAMES];

/** The subgraphs. */
export const SUBGRAPHS: readonly Reader[] = SUBGRAPH_NAMES;

/** The services that serve graphql-ws: the gateway, and the subgraphs with subscriptions for the gateway's upstreams. */
export const WEBSOCKET_SERVERS: readonly Reader[] = ["gateway", "production", "qa"];

/** The subgraphs with an outbox and event consumers on RabbitMQ. */
export const EVENT_SERVICES: readonly Reader[] = ["production", "qa"];
