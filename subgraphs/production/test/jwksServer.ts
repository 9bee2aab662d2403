import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { keyId } from "../../../lib/auth/tokens.js";

/** Where the subgraph under test fetches its JWKS, and the key that signs the tests' tokens. */
export interface JwksServer {
  url: string;
  privateKey: KeyObject;
  kid: string;
  stop(): Promise<void>;
}

/**
 * Stands in for the auth subgraph where the production subgraph needs it, its public keys
 * (`/.well-known/jwks.json`) and an empty revocation list, so that in-process tests can sign
 * their own tokens.
 */
export async function startJwksServer(): Promise<JwksServer> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = keyId(publicKey);
  const body = JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "ES256", use: "sig" }] });
  const server = createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") res.writeHead(200, { "content-type": "application/json" }).end(body);
    // Nothing revoked: the production subgraph reads this list before it checks any token.
    else if (req.url === "/internal/revocations") res.writeHead(200, { "content-type": "application/json" }).end('{"tokens":[],"users":[]}');
    else res.writeHead(404).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    privateKey,
    kid,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
