import { TokenVerifier } from "../../../lib/auth/verifier.js";
import { loadSchema } from "../../../lib/server/schema.js";
import { createSubgraphServer, type SubgraphServer } from "../../../lib/server/subgraph.js";
import type { Runtime } from "../../../lib/server/runtime.js";
import type { ProductionContext } from "./context.js";
import { resolvers } from "./resolvers/index.js";

export const typeDefs = loadSchema(import.meta.url, "../schema.graphql");

/** The production subgraph: batches, their history and events (port 8003). */
export function createProductionServer(runtime: Runtime): SubgraphServer {
  const { config, logger, metrics, prisma, revocations } = runtime;
  const verifier = TokenVerifier.fromJwks(config, revocations);
  return createSubgraphServer<ProductionContext>({
    name: "production",
    typeDefs,
    resolvers,
    verifier,
    logger,
    metrics,
    production: config.production,
    context: (base) => ({ ...base, prisma }),
  });
}
