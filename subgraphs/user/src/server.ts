import { TokenVerifier } from "#lib/auth/verifier.js";
import { restInfo, serviceRest } from "../../../rest/engine/service.js";
import { loadSchema } from "#lib/server/schema.js";
import { createSubgraphServer, type SubgraphServer } from "#lib/server/subgraph.js";
import type { UserConfig } from "#lib/config.js";
import type { Runtime } from "#lib/server/runtime.js";
import { createAuthClient } from "./authClient.js";
import type { UserContext } from "./context.js";
import { createUserLoaders } from "./loaders.js";
import { resolvers } from "./resolvers/index.js";
import { userRoutes } from "../../../rest/routes/users.js";

export const typeDefs = loadSchema(import.meta.url, "../schema.graphql");

/** The user subgraph: the `User` entity, its search and its life cycle (port 8002). */
export function createUserServer(runtime: Runtime<UserConfig>): SubgraphServer {
  const { config, logger, prisma, revocations } = runtime;
  const rest = serviceRest(userRoutes, logger, restInfo("User service", "Users and their life cycle."));
  return rest.bind(
    createSubgraphServer<UserContext>(runtime, {
      typeDefs,
      resolvers,
      verifier: TokenVerifier.fromJwks(config, revocations),
      routes: rest.router,
      context: (base) => ({
        ...base,
        prisma,
        loaders: createUserLoaders(prisma),
        authClient: createAuthClient({
          authUrl: config.authUrl,
          authorization: base.authorization,
          requestId: base.requestId,
          logger: base.logger,
        }),
      }),
    }),
  );
}
