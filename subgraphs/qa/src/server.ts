import { TokenVerifier } from "#lib/auth/verifier.js";
import type { QaConfig } from "#lib/config.js";
import { loadSchema } from "#lib/server/schema.js";
import type { Runtime } from "#lib/server/runtime.js";
import { createSubgraphServer, type SubgraphServer } from "#lib/server/subgraph.js";
import type { QaContext } from "./context.js";
import { resolvers } from "./resolvers/index.js";

export const typeDefs = loadSchema(import.meta.url, "../schema.graphql");

/** The qa subgraph (port 8004). */
export function createQaServer(runtime: Runtime<QaConfig>): SubgraphServer {
  const { config, prisma, revocations } = runtime;
  return createSubgraphServer<QaContext>(runtime, {
    typeDefs,
    resolvers,
    verifier: TokenVerifier.fromJwks(config, revocations),
    context: (base) => ({ ...base, prisma }),
  });
}
