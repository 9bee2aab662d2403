import express from "express";
import { TokenVerifier } from "#lib/auth/verifier.js";
import { restInfo, serviceRest } from "../../../rest/engine/service.js";
import { loadSchema } from "#lib/server/schema.js";
import { createSubgraphServer, type SubgraphServer } from "#lib/server/subgraph.js";
import type { AuthConfig } from "#lib/config.js";
import type { Runtime } from "#lib/server/runtime.js";
import type { AuthContext, AuthServices } from "./context.js";
import { Credentials } from "./credentials.js";
import { DeviceTokens } from "./deviceTokens.js";
import { HashQueue } from "./hashQueue.js";
import { TokenIssuer } from "./issuer.js";
import { jwksRoute, loadSigningKey, ownKeyLookup } from "./keys.js";
import { resolvers } from "./resolvers/index.js";
import { serviceTokenRoute } from "./serviceTokens.js";
import { authRoutes } from "../../../rest/routes/auth.js";
import { revocationRoute } from "./revocationRoute.js";
import { startSessionPurge } from "./sessionPurge.js";
import { Sessions } from "./sessions.js";
import { LoginThrottle } from "./throttle.js";
import { Users } from "./users.js";

export const typeDefs = loadSchema(import.meta.url, "../schema.graphql");

/**
 * The auth subgraph: logins, refresh-token sessions, passwords, and the signing key published
 * at `/.well-known/jwks.json` (port 8001). It checks incoming tokens with its own key.
 */
export function createAuthServer(runtime: Runtime<AuthConfig>): SubgraphServer {
  const { config, logger, metrics, prisma, revocationRecord: revocations } = runtime;
  if (!revocations) throw new Error("the auth runtime has no revocation record");
  const settings = config.signIn;
  const key = loadSigningKey({ ...settings, production: config.production });
  const audience = { issuer: config.issuer, audience: config.audience };
  const rules = { ...audience, maxTtlSeconds: config.accessTokenTtlSeconds };
  const hashes = new HashQueue({ concurrency: settings.passwordHashConcurrency, maxWaiting: settings.passwordHashQueue, metrics });
  const services: AuthServices = {
    users: new Users(prisma),
    credentials: new Credentials(prisma, hashes),
    sessions: new Sessions(prisma, revocations, settings.refreshTokenTtlSeconds),
    throttle: new LoginThrottle(prisma, {
      maxFailures: settings.loginMaxFailures,
      maxDelaySeconds: settings.loginMaxDelaySeconds,
      windowSeconds: settings.loginFailureWindowSeconds,
    }),
    deviceTokens: new DeviceTokens(key.privateKey, settings.deviceTokenTtlSeconds),
    issuer: new TokenIssuer(key, audience, config.accessTokenTtlSeconds, revocations),
    verifier: new TokenVerifier(ownKeyLookup(key), rules, runtime.revocations),
    revocations,
  };
  logger.info({ kid: key.kid }, "signing key loaded");
  const rest = serviceRest(authRoutes, logger, restInfo("Auth service", "Sign-in, token checks and sign-out."));
  const server = rest.bind(
    createSubgraphServer<AuthContext>(runtime, {
      typeDefs,
      resolvers,
      verifier: services.verifier,
      routes: express
        .Router()
        .use(jwksRoute(key), revocationRoute(revocations, logger), serviceTokenRoute(key, audience, config.serviceTokens, logger), rest.router),
      context: (base) => ({ ...base, ...services }),
    }),
  );
  let stopPurge: (() => void) | undefined;
  return {
    ...server,
    async start() {
      await server.start();
      stopPurge = startSessionPurge([services.sessions, revocations, services.throttle], settings.sessionPurgeIntervalSeconds, logger);
    },
    async stop() {
      stopPurge?.();
      await server.stop();
    },
  };
}
