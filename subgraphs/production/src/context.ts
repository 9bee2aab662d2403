import type { RequestContext } from "../../../lib/server/subgraph.js";
import type { PrismaClient } from "../../../lib/prisma.js";

/** What the production resolvers get with each request. */
export interface ProductionContext extends RequestContext {
  prisma: PrismaClient;
}
