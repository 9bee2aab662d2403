import { integer } from "../variable.js";
import { SUBGRAPHS } from "./readers.js";

/**
 * Calls allowed per window, counted in Redis (every instance shares them); over is 429 with
 * `Retry-After` and `RateLimit-*` headers.
 */

export const RATE_LIMIT_WINDOW = integer({
  name: "RATE_LIMIT_WINDOW",
  description: "the gateway's rate-limit window, seconds",
  readers: ["gateway"],
  default: 60,
  min: 1,
  max: 86_400,
});

export const RATE_LIMIT_USER = integer({
  name: "RATE_LIMIT_USER",
  description: "gateway calls per window per signed-in user",
  readers: ["gateway"],
  default: 600,
  min: 1,
  max: 1_000_000,
});

export const RATE_LIMIT_ANONYMOUS = integer({
  name: "RATE_LIMIT_ANONYMOUS",
  description: "gateway calls per window per client IP without a token",
  readers: ["gateway"],
  default: 120,
  min: 1,
  max: 1_000_000,
});

export const RATE_LIMIT_LOGIN = integer({
  name: "RATE_LIMIT_LOGIN",
  description: "`login` calls per window per client IP (GraphQL or REST; each `login` field counts, fragments and aliases included)",
  readers: ["gateway"],
  default: 10,
  min: 1,
  max: 1_000_000,
});

export const SUBGRAPH_RATE_LIMIT_WINDOW = integer({
  name: "SUBGRAPH_RATE_LIMIT_WINDOW",
  description: "each subgraph's own rate-limit window on `/graphql` and `/api/*`, seconds (counted in Redis per subgraph)",
  readers: SUBGRAPHS,
  default: 60,
  min: 1,
  max: 86_400,
});

export const SUBGRAPH_RATE_LIMIT_USER = integer({
  name: "SUBGRAPH_RATE_LIMIT_USER",
  description: "subgraph calls per window per signed-in user; keep it above `RATE_LIMIT_USER`, since one gateway call can make several subgraph calls",
  readers: SUBGRAPHS,
  default: 3_000,
  min: 1,
  max: 1_000_000,
});

export const SUBGRAPH_RATE_LIMIT_ANONYMOUS = integer({
  name: "SUBGRAPH_RATE_LIMIT_ANONYMOUS",
  description: "subgraph calls per window per client IP without a token; keep it above `RATE_LIMIT_ANONYMOUS`",
  readers: SUBGRAPHS,
  default: 240,
  min: 1,
  max: 1_000_000,
});
