import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { keyId } from "#lib/auth/tokens.js";

/** One GraphQL call the stand-in received. */
export interface AuthCall {
  headers: IncomingHttpHeaders;
  query: string;
  variables: Record<string, unknown>;
}

/**
 * A real HTTP server standing in for the auth subgraph, for a subgraph tested alone: its JWKS,
 * and the mutations the user subgraph calls, whose calls it records and whose failures a test
 * can choose.
 */
export interface FakeAuth {
  url: string;
  privateKey: KeyObject;
  kid: string;
  /** Every `/graphql` call, oldest first. */
  calls: AuthCall[];
  /** What `/graphql` answers next; default `{ data: { <field>: true } }`. */
  answer: ((call: AuthCall) => unknown) | undefined;
  /** How `/graphql` fails: `reset` drops the connection as a crashed service would, `hang` never answers. */
  failure: "reset" | "hang" | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the stand-in on a free port. It signs nothing: tests sign their own tokens with
 * `privateKey`, and the subgraph under test fetches the matching public key from here.
 */
export async function startFakeAuth(): Promise<FakeAuth> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = keyId(publicKey);
  const jwks = { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "ES256", use: "sig" }] };
  const fake = { privateKey, kid, calls: [] as AuthCall[], answer: undefined, failure: undefined } as Omit<FakeAuth, "url" | "close">;
  const server: Server = createServer(async (req, res) => {
    const json = (body: unknown) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (req.url === "/.well-known/jwks.json") return void json(jwks);
    // Nothing revoked: the user subgraph reads this list before it checks any token.
    if (req.url === "/internal/revocations") return void json({ tokens: [], users: [] });
    if (req.url !== "/graphql" || req.method !== "POST") return void res.writeHead(404).end();
    if (fake.failure === "reset") return void req.socket.destroy();
    if (fake.failure === "hang") return;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const call: AuthCall = { headers: req.headers, query, variables };
    fake.calls.push(call);
    const field = /\{\s*(\w+)/.exec(query)?.[1] ?? "unknown";
    json(fake.answer ? fake.answer(call) : { data: { [field]: true } });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
