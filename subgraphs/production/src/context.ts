import type { RequestContext } from "#lib/server/subgraph.js";
import type { PrismaClient } from "#lib/prisma.js";
import type { EventPubSub } from "#lib/pubsub/redis.js";
import type { Actor } from "./batches/actor.js";
import type { ProductionLoaders } from "./batches/loaders.js";

/** What the production resolvers get with each request. */
export interface ProductionContext extends RequestContext {
  prisma: PrismaClient;
  /** Built per request, so batching and caching never leak between callers. */
  loaders: ProductionLoaders;
  /** Batch events on Redis pub/sub, for the subscriptions. */
  events: EventPubSub;
}

/**
 * The caller as the author of a change. Only called under `@requiresScopes`, which guarantees
 * a verified caller; the check narrows the type and guards against a schema without it.
 */
export function actorOf(ctx: ProductionContext): Actor {
  if (!ctx.auth) throw new Error("a change reached a resolver without a verified caller");
  return { userId: ctx.auth.userId, scopes: ctx.auth.scopes, requestId: ctx.requestId };
}
