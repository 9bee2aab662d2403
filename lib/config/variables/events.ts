import { DEFAULT_EVENT_LIMITS } from "../../events/parse.js";
import { integer, text } from "../variable.js";
import { EVENT_SERVICES } from "./readers.js";

/** The production and QA events on RabbitMQ, and how their consumers bound what they accept. */

export const EVENTS_EXCHANGE = text({
  name: "EVENTS_EXCHANGE",
  description: "the durable topic exchange batch events are published to (the name other systems publish to)",
  readers: ["production"],
  default: "production.events",
});

export const SUBSCRIPTIONS_QUEUE = text({
  name: "SUBSCRIPTIONS_QUEUE",
  description: "the durable queue the production instances share to feed subscriptions (its dead letters: `<queue>.dlq`)",
  readers: ["production"],
  default: "production.subscriptions",
});

export const QA_EVENTS_EXCHANGE = text({
  name: "QA_EVENTS_EXCHANGE",
  description:
    "the durable topic exchange the qa subgraph publishes its events to (`qa.result.recorded`, `qa.batch.released`, …; subgraphs/qa/EVENTS.md); production applies the release and rejection decisions from it",
  readers: ["production", "qa"],
  default: "qa.events",
});

export const QA_SUBSCRIPTIONS_QUEUE = text({
  name: "QA_SUBSCRIPTIONS_QUEUE",
  description: "the durable queue the qa instances share to feed their subscriptions (its dead letters: `<queue>.dlq`)",
  readers: ["qa"],
  default: "qa.subscriptions",
});

export const EVENTS_MAX_BYTES = integer({
  name: "EVENTS_MAX_BYTES",
  description: "largest event message the subscription consumer accepts; a larger one is dead-lettered at once",
  readers: EVENT_SERVICES,
  default: DEFAULT_EVENT_LIMITS.maxBytes,
  min: 1_024,
  max: 16 * 1_048_576,
});

export const EVENTS_MAX_DEPTH = integer({
  name: "EVENTS_MAX_DEPTH",
  description: "deepest nesting of an event message the subscription consumer accepts; a deeper one is dead-lettered at once",
  readers: EVENT_SERVICES,
  default: DEFAULT_EVENT_LIMITS.maxDepth,
  min: 2,
  max: 1_000,
});

export const EVENTS_MAX_ATTEMPTS = integer({
  name: "EVENTS_MAX_ATTEMPTS",
  description: "handling attempts of one event (Redis or PostgreSQL away) before it is dead-lettered as `retries_exhausted`",
  readers: EVENT_SERVICES,
  default: 5,
  min: 1,
  max: 100,
});

export const EVENTS_RETRY_DELAY_MS = integer({
  name: "EVENTS_RETRY_DELAY_MS",
  description: "wait before an event's first retry, doubling with each, up to 30 s",
  readers: EVENT_SERVICES,
  default: 1_000,
  min: 0,
  max: 600_000,
});

export const QA_DECISIONS_QUEUE = text({
  name: "QA_DECISIONS_QUEUE",
  description:
    "the durable queue the production instances share to apply QA's decisions (`qa.batch.released`, `qa.batch.rejected`; its dead letters: `<queue>.dlq`), with the `EVENTS_MAX_*` and `EVENTS_RETRY_DELAY_MS` limits",
  readers: ["production"],
  default: "production.qa-decisions",
});
