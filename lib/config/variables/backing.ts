import { text, url } from "../variable.js";
import { SERVICES, SUBGRAPHS } from "./readers.js";

/** Where the backing services are: PostgreSQL, Redis, RabbitMQ. */

export const DATABASE_URL = url({
  name: "DATABASE_URL",
  description: "PostgreSQL: one database, one schema per subgraph; `?connection_limit=N` sets a service's pool size (default 10)",
  readers: [...SUBGRAPHS, "prepare"],
  default: "postgresql://postgres@127.0.0.1:5432/batch_supergraph",
  protocols: ["postgresql:", "postgres:"],
});

export const REDIS_URL = url({
  name: "REDIS_URL",
  description: "Redis: revocation notices (the record is PostgreSQL's), rate-limit counters, persisted queries, subscription events",
  readers: [...SERVICES, "prepare"],
  default: "redis://127.0.0.1:6379",
  protocols: ["redis:", "rediss:"],
});

export const AMQP_URL = url({
  name: "AMQP_URL",
  description:
    "RabbitMQ: production and QA events (the production and qa subgraphs publish and consume them; their `/ready` reports the broker degraded while it is away)",
  readers: ["production", "qa", "prepare"],
  default: "amqp://guest:guest@127.0.0.1:5672",
  protocols: ["amqp:", "amqps:"],
});

export const REDIS_PREFIX = text({
  name: "REDIS_PREFIX",
  description: "prefix of every Redis key and channel",
  readers: SERVICES,
  default: "batch:",
});
