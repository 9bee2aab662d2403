import type { PrismaClient } from "#lib/prisma.js";
import type { RequestContext } from "#lib/server/subgraph.js";
import type { AuthClient } from "./authClient.js";
import type { UserLoaders } from "./loaders.js";

/** What the user resolvers get with each request. */
export interface UserContext extends RequestContext {
  prisma: PrismaClient;
  /** Built per request, so batching and caching never leak between callers. */
  loaders: UserLoaders;
  /** Calls the auth subgraph on behalf of this request's caller. */
  authClient: AuthClient;
}
