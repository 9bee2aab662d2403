import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import jwt from "jsonwebtoken";
import { Registry } from "prom-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { keyId, signAccessToken, verifyAccessToken } from "#lib/auth/tokens.js";
import { jwksKeyLookup, TokenVerifier } from "#lib/auth/verifier.js";
import { listen } from "#lib/server/http.js";
import { createLogger } from "#lib/logger.js";
import { createGatewayServer, type GatewayServer } from "../../gateway/src/server.js";
import { readServiceConfig } from "#lib/config.js";
import { graphql } from "../support/graphql.js";
import { startInProcessStack, type InProcessStack } from "../support/inProcessStack.js";

const AUDIENCE = { issuer: "batch-supergraph-auth", audience: "batch-supergraph" };

/** A signing key and its RFC 7638 kid, as the auth subgraph makes them. */
function signingKey(privateKey: KeyObject = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey) {
  return { privateKey, kid: keyId(createPublicKey(privateKey)) };
}

type SigningKey = ReturnType<typeof signingKey>;

const tokenWith = ({ privateKey, kid }: SigningKey, issuer = AUDIENCE.issuer, audience = AUDIENCE.audience) =>
  signAccessToken({ id: randomUUID(), email: "someone@example.com", roles: ["VIEWER"] }, { privateKey, kid, issuer, audience, ttlSeconds: 300 });

/** A token signed with a throw-away key under an arbitrary `kid`, as an attacker would send. */
const tokenWithKid = (kid: string) => jwt.sign({ sub: "x" }, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey, { algorithm: "ES256", keyid: kid });

/**
 * Stands in for the auth subgraph's `/.well-known/jwks.json`: serves the keys it is given,
 * counts every request, and can be made to fail (503) as an auth service that is down.
 */
interface JwksStandIn {
  url: string;
  fetches(): number;
  publish(...keys: SigningKey[]): void;
  fail(down: boolean): void;
  stop(): Promise<void>;
}

async function startJwksStandIn(...keys: SigningKey[]): Promise<JwksStandIn> {
  let fetches = 0;
  let down = false;
  let body = "";
  const publish = (...published: SigningKey[]) => {
    body = JSON.stringify({
      keys: published.map(({ privateKey, kid }) => ({ ...createPublicKey(privateKey).export({ format: "jwk" }), kid, alg: "ES256", use: "sig" })),
    });
  };
  publish(...keys);
  const server: Server = createServer((req, res) => {
    if (req.url !== "/.well-known/jwks.json") return void res.writeHead(404).end();
    fetches += 1;
    if (down) return void res.writeHead(503).end();
    res.writeHead(200, { "content-type": "application/json", "cache-control": "public, max-age=300" }).end(body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fetches: () => fetches,
    publish,
    fail: (value) => void (down = value),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` until it stops throwing, at most `deadlineMs`. */
async function eventually<T>(check: () => Promise<T>, deadlineMs = 10_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const standIns: JwksStandIn[] = [];
afterEach(async () => {
  for (const standIn of standIns.splice(0)) await standIn.stop();
});

describe("signing keys looked up by a gateway", () => {
  let stack: InProcessStack;
  beforeAll(async () => {
    stack = await startInProcessStack({ events: false });
  });
  afterAll(async () => stack?.stop());

  /**
   * A fresh gateway whose verifier reads the JWKS from `standIn` (serving the stack's own key,
   * so that the subgraphs, which verify against the real auth subgraph, accept the same tokens),
   * with a rate limit high enough for the attack's requests.
   */
  async function freshGateway(standIn: JwksStandIn): Promise<{ url: string; server: GatewayServer }> {
    const runtime = stack.gateway.runtime;
    const env = { ...process.env, ...stack.env, REDIS_PREFIX: `${stack.env.REDIS_PREFIX}${randomBytes(3).toString("hex")}:`, RATE_LIMIT_ANONYMOUS: "100000" };
    const server = createGatewayServer({
      verifier: TokenVerifier.fromJwks({ ...runtime.config, authUrl: standIn.url }, runtime.revocations),
      logger: createLogger("gateway", "silent"),
      metrics: new Registry(),
      redis: runtime.redis,
      config: readServiceConfig("gateway", { ...env, NODE_ENV: "development" }),
    });
    await server.start();
    const url = await listen(server.httpServer, 0, "127.0.0.1", createLogger("gateway", "silent"));
    return { url, server };
  }

  it("random kids sent to a fresh gateway cost one JWKS fetch and never lock out valid tokens", async () => {
    const standIn = await startJwksStandIn(signingKey(stack.privateKey));
    standIns.push(standIn);
    const gateway = await freshGateway(standIn);
    try {
      const account = await stack.createUser({ roles: ["VIEWER"] });
      const token = stack.tokenFor(account);
      const kids = Array.from({ length: 60 }, () => randomBytes(16).toString("hex"));
      const answers = await Promise.all(kids.map((kid) => graphql(gateway.url, "{ __typename }", {}, tokenWithKid(kid))));
      // The client hears "Invalid token" only: its own kid is not echoed back.
      for (const answer of answers) {
        expect(answer.status).toBe(401);
        expect(answer.errors).toEqual([{ message: "Invalid token", extensions: { code: "UNAUTHENTICATED" } }]);
      }
      const me = await graphql(gateway.url, "{ me { email } }", {}, token);
      expect(me.errors).toBeUndefined();
      expect(me.data).toEqual({ me: { email: account.email } });
      // More random kids after the first fetch: none of them reaches the JWKS, the valid token keeps working.
      for (let round = 0; round < 3; round++) {
        const kid = randomBytes(16).toString("hex");
        expect((await graphql(gateway.url, "{ __typename }", {}, tokenWithKid(kid))).status).toBe(401);
        expect((await graphql(gateway.url, "{ me { email } }", {}, token)).data).toEqual({ me: { email: account.email } });
      }
      expect(standIn.fetches()).toBe(1);
    } finally {
      await gateway.server.stop();
    }
  });
});

describe("signing keys looked up from a JWKS", () => {
  const verify = (token: string, lookup: ReturnType<typeof jwksKeyLookup>) => verifyAccessToken(token, lookup, { ...AUDIENCE, maxTtlSeconds: 900 });
  const refused = (token: string, lookup: ReturnType<typeof jwksKeyLookup>) =>
    verify(token, lookup).then(
      () => undefined,
      (err: Error) => err.message,
    );

  it("random kids cost at most one JWKS fetch per cooldown, while a valid token keeps verifying", async () => {
    const current = signingKey();
    const standIn = await startJwksStandIn(current);
    standIns.push(standIn);
    const cooldownMs = 200;
    const lookup = jwksKeyLookup(`${standIn.url}/.well-known/jwks.json`, { cooldownMs, maxAgeMs: cooldownMs });
    const token = tokenWith(current);
    const started = Date.now();
    // Until the set has been refreshed twice (it is stale after every cooldown): a flood of
    // random kids around every verification of the valid token.
    for (let round = 0; standIn.fetches() < 3; round++) {
      expect(round).toBeLessThan(10_000);
      const kids = Array.from({ length: 20 }, () => randomBytes(16).toString("hex"));
      const answers = await Promise.all(kids.map((kid) => refused(tokenWithKid(kid), lookup)));
      expect(answers).toEqual(kids.map((kid) => `unknown signing key ${kid}`));
      expect((await verify(token, lookup)).email).toBe("someone@example.com");
    }
    expect(standIn.fetches()).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - started) / cooldownMs));
  });

  it("a new kid published at the JWKS is picked up, and a key withdrawn from it stops working", async () => {
    const old = signingKey();
    const next = signingKey();
    const standIn = await startJwksStandIn(old);
    standIns.push(standIn);
    const lookup = jwksKeyLookup(`${standIn.url}/.well-known/jwks.json`, { cooldownMs: 100 });
    expect((await verify(tokenWith(old), lookup)).email).toBe("someone@example.com");
    expect(await refused(tokenWith(next), lookup)).toBe(`unknown signing key ${next.kid}`);
    standIn.publish(old, next);
    await eventually(() => verify(tokenWith(next), lookup));
    expect((await verify(tokenWith(old), lookup)).email).toBe("someone@example.com");
    standIn.publish(next);
    // The old key goes with the next fetch, which a lookup of a kid nobody knows may cause.
    await eventually(async () => {
      await refused(tokenWithKid(randomBytes(16).toString("hex")), lookup);
      expect(await refused(tokenWith(old), lookup)).toBe(`unknown signing key ${old.kid}`);
    });
    expect((await verify(tokenWith(next), lookup)).email).toBe("someone@example.com");
  });

  it("a JWKS endpoint that is down does not lose the keys already known", async () => {
    const current = signingKey();
    const standIn = await startJwksStandIn(current);
    standIns.push(standIn);
    const errors: unknown[] = [];
    const lookup = jwksKeyLookup(`${standIn.url}/.well-known/jwks.json`, { cooldownMs: 50, maxAgeMs: 50, onError: (err) => errors.push(err) });
    const token = tokenWith(current);
    await verify(token, lookup);
    standIn.fail(true);
    // The set is stale after 50 ms: each refresh fails, the known key keeps verifying meanwhile.
    for (let round = 0; errors.length < 3; round++) {
      expect(round).toBeLessThan(100_000);
      expect((await verify(token, lookup)).email).toBe("someone@example.com");
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(errors[0]).toMatchObject({ message: "Expected 200 OK from the JSON Web Key Set HTTP response" });
    const rotated = signingKey();
    standIn.publish(rotated);
    standIn.fail(false);
    await eventually(() => verify(tokenWith(rotated), lookup));
  });

  it("a token without a kid, or with an oversized one, is refused without any fetch", async () => {
    const standIn = await startJwksStandIn(signingKey());
    standIns.push(standIn);
    const lookup = jwksKeyLookup(`${standIn.url}/.well-known/jwks.json`);
    const noKid = jwt.sign({ sub: "x" }, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey, { algorithm: "ES256" });
    expect(await refused(noKid, lookup)).toBe("unknown signing key (no kid)");
    const long = "k".repeat(129);
    expect(await refused(tokenWithKid(long), lookup)).toBe(`unknown signing key ${long}`);
    expect(standIn.fetches()).toBe(0);
  });
});
