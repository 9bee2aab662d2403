import { integer } from "../variable.js";
import { WEBSOCKET_SERVERS } from "./readers.js";

/** Bounds of every graphql-ws server: the gateway's, and the production subgraph's for the gateway's upstreams. */

export const WS_MAX_PAYLOAD_BYTES = integer({
  name: "WS_MAX_PAYLOAD_BYTES",
  description: "largest WebSocket message; larger closes the socket with 1009 before it is buffered",
  readers: WEBSOCKET_SERVERS,
  default: 65_536,
  min: 1_024,
  max: 104_857_600,
});

export const WS_MAX_SUBSCRIPTIONS = integer({
  name: "WS_MAX_SUBSCRIPTIONS",
  description: "subscriptions open at once on one WebSocket connection; more get `TOO_MANY_REQUESTS`",
  readers: WEBSOCKET_SERVERS,
  default: 25,
  min: 1,
  max: 10_000,
});

export const WS_CONNECTION_INIT_TIMEOUT_MS = integer({
  name: "WS_CONNECTION_INIT_TIMEOUT_MS",
  description: "how long a WebSocket may stay open without `connection_init`; then it is closed with 4408",
  readers: WEBSOCKET_SERVERS,
  default: 5_000,
  min: 100,
  max: 600_000,
});

export const SUBSCRIPTION_AUTH_RECHECK_MS = integer({
  name: "SUBSCRIPTION_AUTH_RECHECK_MS",
  description:
    "how often the token of each open WebSocket is verified again: a safety net, revocations reach open sockets at once through Redis (`<REDIS_PREFIX>revocations`)",
  readers: WEBSOCKET_SERVERS,
  default: 30_000,
  min: 100,
  max: 3_600_000,
});

export const SUBSCRIPTION_BUFFER = integer({
  name: "SUBSCRIPTION_BUFFER",
  description:
    "results one gateway subscriber may leave unread; beyond, its WebSocket is closed with 4008 (`subscriber too slow; resume with after`) and `graphql_subscription_slow_closes_total` counts it",
  readers: ["gateway"],
  default: 256,
  min: 1,
  max: 100_000,
});
