import { generateKeyPairSync, randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAccessToken, type SignOptions } from "#lib/auth/tokens.js";
import type { TestAccount } from "../support/inProcessStack.js";
import { startInProcessStack, type InProcessStack } from "../support/inProcessStack.js";

/**
 * Attacks on token verification (security report, items 5 and 6): tokens minted with a far `iat`
 * or a long lifetime, and refusals that tell a forger what every service expects.
 */
let stack: InProcessStack;
beforeAll(async () => {
  stack = await startInProcessStack({ events: false });
});
afterAll(() => stack?.stop());

const now = () => Math.floor(Date.now() / 1000);
/** Every port a token can be sent to: a subgraph reached directly is no way around verification. */
const everyService = () => [stack.gateway, stack.auth, stack.user, stack.production].map((service) => [service.name, service.url] as const);
/** A token signed with the real key, with whatever claims an attacker holding it for a moment would choose. */
const forge = (account: Pick<TestAccount, "id" | "email" | "roles">, over: Partial<SignOptions> = {}) =>
  signAccessToken(account, {
    privateKey: stack.privateKey,
    kid: stack.kid,
    issuer: stack.auth.runtime.config.issuer,
    audience: stack.auth.runtime.config.audience,
    ttlSeconds: 600,
    ...over,
  });
const refused = (message: string) => ({ status: 401, errors: [{ message, extensions: { code: "UNAUTHENTICATED" } }] });
/** `token` is refused as revoked by every service within a second: the notice travels through Redis. */
async function expectRevokedEverywhere(token: string) {
  for (const [, url] of everyService()) {
    await expect
      .poll(() => stack.call(`{ __typename }`, {}, token, url), { timeout: 1_000, interval: 20 })
      .toMatchObject(refused("Invalid token: token revoked"));
  }
}
const VERIFY = /* GraphQL */ `query ($token: String!) { verifyToken(token: $token) { valid reason } }`;
const DELETE_USER = /* GraphQL */ `mutation ($id: ID!) { deleteUser(id: $id) { active } }`;

describe("token lifetime and issue time", () => {
  it("a token issued an hour in the future is refused by every service", async () => {
    const account = await stack.createUser();
    const token = forge(account, { issuedAt: now() + 3600, ttlSeconds: 900 });
    for (const [, url] of everyService()) {
      expect(await stack.call(`{ __typename }`, {}, token, url)).toMatchObject(refused("Invalid token"));
    }
    expect(stack.gateway.logs).toContainEqual(expect.objectContaining({ msg: "token refused", reason: expect.stringMatching(/^issued in the future/) }));
  });

  it("a token living a year, longer than ACCESS_TOKEN_TTL, is refused by every service", async () => {
    const account = await stack.createUser();
    const token = forge(account, { ttlSeconds: 365 * 86_400 });
    for (const [, url] of everyService()) {
      expect(await stack.call(`{ __typename }`, {}, token, url)).toMatchObject(refused("Invalid token"));
    }
    expect(stack.user.logs).toContainEqual(expect.objectContaining({ msg: "token refused", reason: `lifetime ${365 * 86_400} s longer than 900 s` }));
  });

  it("a token dated within the clock-skew leeway ahead no longer outlives its user's deactivation", async () => {
    const account = await stack.createUser({ roles: ["VIEWER"] });
    const admin = await stack.createUser({ roles: ["ADMIN"] });
    const token = forge(account, { issuedAt: now() + 30, ttlSeconds: 600 });
    expect((await stack.call(`{ me { id } }`, {}, token)).data).toEqual({ me: { id: account.id } });

    expect((await stack.call(DELETE_USER, { id: account.id }, stack.tokenFor(admin))).data).toEqual({ deleteUser: { active: false } });
    await expectRevokedEverywhere(token);
  });

  it("a token of the configured lifetime, issued now, is accepted everywhere", async () => {
    const account = await stack.createUser();
    const token = forge(account, { ttlSeconds: 900 });
    for (const [, url] of everyService()) {
      expect(await stack.call(`{ __typename }`, {}, token, url)).toMatchObject({ status: 200, data: { __typename: "Query" } });
    }
  });
});

describe("refusal messages", () => {
  it("a forged token learns neither the expected issuer and audience nor hears its own kid back", async () => {
    const account = await stack.createUser();
    const attackerKid = `attacker-kid-${randomBytes(6).toString("hex")}`;
    const otherKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    const { issuer, audience } = stack.auth.runtime.config;
    const forged = {
      "wrong issuer": forge(account, { issuer: "guessed-issuer" }),
      "wrong audience": forge(account, { audience: "guessed-audience" }),
      "unknown kid": forge(account, { privateKey: otherKey, kid: attackerKid }),
      "alg none": jwt.sign({ sub: account.id, jti: "x", roles: [] }, null, { algorithm: "none", issuer, audience, keyid: stack.kid }),
      garbage: "not.a.token",
    };
    for (const [name, token] of Object.entries(forged)) {
      for (const [service, url] of everyService()) {
        const result = await stack.call(`{ __typename }`, {}, token, url);
        expect({ name, service, ...result }).toMatchObject({ name, service, ...refused("Invalid token") });
        const text = JSON.stringify(result.errors);
        for (const secret of [issuer, audience, attackerKid, "guessed"]) expect(text).not.toContain(secret);
      }
      const answer = (await stack.call(VERIFY, { token })).data?.verifyToken;
      expect({ name, answer }).toEqual({ name, answer: { valid: false, reason: "invalid token" } });
    }
    const rest = await fetch(`${stack.gateway.url}/api/auth/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: forged["unknown kid"] }),
    });
    expect(await rest.json()).toMatchObject({ valid: false, reason: "invalid token" });
    // The precise reasons are in the logs, for operators.
    const reasons = stack.gateway.logs.filter((l) => l.msg === "token refused").map((l) => String(l.reason));
    expect(reasons).toEqual(
      expect.arrayContaining([
        `jwt issuer invalid. expected: ${issuer}`,
        `jwt audience invalid. expected: ${audience}`,
        `unknown signing key ${attackerKid}`,
        "algorithm none not accepted",
        "malformed token",
      ]),
    );
  });

  it("an expired or revoked token is named as such, so that clients refresh or sign in again", async () => {
    const account = await stack.createUser();
    const expired = forge(account, { issuedAt: now() - 600, ttlSeconds: 300 });
    for (const [, url] of everyService()) {
      expect(await stack.call(`{ __typename }`, {}, expired, url)).toMatchObject(refused("Invalid token: token expired"));
    }
    expect((await stack.call(VERIFY, { token: expired })).data?.verifyToken).toEqual({ valid: false, reason: "token expired" });

    const token = await stack.login(account);
    expect((await stack.call(`mutation { logout }`, {}, token)).data).toEqual({ logout: true });
    // The promise: refused by the gateway on the next request, and by every subgraph within a second.
    expect(await stack.call(`{ __typename }`, {}, token)).toMatchObject(refused("Invalid token: token revoked"));
    await expectRevokedEverywhere(token);
    expect((await stack.call(VERIFY, { token })).data?.verifyToken).toEqual({ valid: false, reason: "token revoked" });
  });
});
