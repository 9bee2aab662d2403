import { generateKeyPairSync } from "node:crypto";
import { keyId } from "#lib/auth/tokens.js";
import { createAuthServer } from "../../auth/src/server.js";
import { startInProcessSubgraph } from "../../../test/support/inProcessSubgraph.js";
import type { AuthEndpoint } from "./userServer.js";

/** The real auth subgraph, in this process, with a signing key the test knows. */
export interface TestAuthServer extends AuthEndpoint {
  stop(): Promise<void>;
}

/**
 * Starts the auth subgraph on `redisPrefix`: give the user subgraph the same prefix, so that
 * the tokens auth revokes are refused by the user subgraph too.
 */
export async function startAuthServer(redisPrefix: string): Promise<TestAuthServer> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const started = await startInProcessSubgraph("auth", createAuthServer, {
    REDIS_PREFIX: redisPrefix,
    JWT_PRIVATE_KEY: pem,
  });
  return { url: started.url, privateKey, kid: keyId(publicKey), stop: started.stop };
}
