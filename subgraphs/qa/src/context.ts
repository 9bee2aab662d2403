import type { EventPubSub } from "#lib/pubsub/redis.js";
import type { PrismaClient } from "#lib/prisma.js";
import type { RequestContext } from "#lib/server/subgraph.js";
import type { ProductionBatches } from "./batches/productionBatches.js";
import type { QaLoaders } from "./loaders.js";
import type { Signatures } from "./release/signatures.js";

/** What the qa resolvers get with each request. */
export interface QaContext extends RequestContext {
  prisma: PrismaClient;
  /** Built per request, so batching and caching never leak between callers. */
  loaders: QaLoaders;
  /** The production subgraph's batches, asked for with the caller's token. */
  batches: ProductionBatches;
  /** Confirms the caller's electronic signature with the auth subgraph. */
  signatures: Signatures;
  /** Redis pub/sub of QA events, read by the subscriptions. */
  events: EventPubSub;
}
