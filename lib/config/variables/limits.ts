import { integer } from "../variable.js";
import { SERVICES, SUBGRAPHS, WEBSOCKET_SERVERS } from "./readers.js";

/**
 * Operation limits: the gateway checks them before planning (over a limit is HTTP 400
 * `MAX_*_LIMIT`), the production subgraph on the subscriptions sent to its own WebSocket.
 * Defaults are GraphQL Armor's except depth: Armor's 6 refuses this graph's own deepest query,
 * `batches { edges { node { history { changedBy { name } } } } }`.
 */

export const MAX_DEPTH = integer({
  name: "MAX_DEPTH",
  description: "deepest operation: nested selections, leaf fields and fragments included",
  readers: WEBSOCKET_SERVERS,
  default: 10,
  min: 1,
  max: 100,
});

export const MAX_ALIASES = integer({
  name: "MAX_ALIASES",
  description: "aliases in one operation",
  readers: WEBSOCKET_SERVERS,
  default: 15,
  min: 0,
  max: 10_000,
});

export const MAX_ROOT_FIELDS = integer({
  name: "MAX_ROOT_FIELDS",
  description: "top-level fields of one operation, those inside fragments included (a subscription has one)",
  readers: ["gateway"],
  default: 10,
  min: 1,
  max: 1_000,
});

export const MAX_DIRECTIVES = integer({
  name: "MAX_DIRECTIVES",
  description: "directives in one operation",
  readers: WEBSOCKET_SERVERS,
  default: 50,
  min: 0,
  max: 10_000,
});

export const MAX_TOKENS = integer({
  name: "MAX_TOKENS",
  description: "lexical tokens of one operation, counted while parsing",
  readers: WEBSOCKET_SERVERS,
  default: 1_000,
  min: 10,
  max: 1_000_000,
});

export const MAX_COST = integer({
  name: "MAX_COST",
  description: "estimated cost of one operation (GraphQL Armor's: objects 2, scalars 1, ×1.5 per level)",
  readers: WEBSOCKET_SERVERS,
  default: 5_000,
  min: 1,
  max: 10_000_000,
});

export const MAX_BODY_BYTES = integer({
  name: "MAX_BODY_BYTES",
  description: "largest GraphQL request body, on the gateway and on every subgraph; larger is 413 `PAYLOAD_TOO_LARGE`",
  readers: SERVICES,
  default: 1_048_576,
  min: 1_024,
  max: 104_857_600,
});

export const MAX_REPRESENTATIONS = integer({
  name: "MAX_REPRESENTATIONS",
  description: "entities one request may ask a subgraph's `_entities` for; more is 400 `BAD_USER_INPUT`",
  readers: SUBGRAPHS,
  default: 1_000,
  min: 1,
  max: 100_000,
});

export const APQ_MAX_QUERY_BYTES = integer({
  name: "APQ_MAX_QUERY_BYTES",
  description:
    "largest query the gateway stores as an automatic persisted query (for a day, and only when the caller is signed in); a larger one runs without being stored",
  readers: ["gateway"],
  default: 16_384,
  min: 0,
  max: 1_048_576,
});
