import type { PrismaClient } from "#lib/prisma.js";
import type { RequestContext } from "#lib/server/subgraph.js";

/** What the qa resolvers get with each request. */
export interface QaContext extends RequestContext {
  prisma: PrismaClient;
}
