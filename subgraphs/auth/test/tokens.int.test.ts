import { createPublicKey, createSecretKey, generateKeyPairSync } from "node:crypto";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyId, signAccessToken } from "#lib/auth/tokens.js";
import { VERIFY, login, startAuth, type AuthHarness, type TestUser } from "./harness.js";

let auth: AuthHarness;
let user: TestUser;
beforeAll(async () => {
  auth = await startAuth();
  user = await auth.createUser({ roles: ["PRODUCTION"] });
});
afterAll(() => auth?.stop());

describe("incoming tokens", () => {
  // Clients are told only "token expired" (to refresh) or "invalid token": never the expected
  // issuer or audience, nor their own kid back. The precise reason goes to the log.
  const forged: [string, string, RegExp, () => string][] = [
    ["expired", "token expired", /^jwt expired$/, () => sign({ ttlSeconds: -10 })],
    ["alg none", "invalid token", /^algorithm none not accepted$/, () => jwt.sign(claims(), null, { algorithm: "none", ...audience(), keyid: kid() })],
    [
      "HS256 signed with the public key PEM",
      "invalid token",
      /^algorithm HS256 not accepted$/,
      () => jwt.sign(claims(), createSecretKey(Buffer.from(publicPem())), { algorithm: "HS256", ...audience(), keyid: kid() }),
    ],
    ["wrong audience", "invalid token", /^jwt audience invalid/, () => sign({ audience: "someone-else" })],
    ["wrong issuer", "invalid token", /^jwt issuer invalid/, () => sign({ issuer: "someone-else" })],
    [
      "unknown kid",
      "invalid token",
      /^unknown signing key other-key$/,
      () => sign({ privateKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey, kid: "other-key" }),
    ],
  ];

  it.each(forged)("refuses a token %s with 401, and keeps answering", async (_name, publicReason, reason, make) => {
    const result = await auth.call(VERIFY, { token: "x" }, make());
    expect(result.status).toBe(401);
    const message = publicReason === "invalid token" ? "Invalid token" : `Invalid token: ${publicReason}`;
    expect(result.errors).toEqual([{ message, extensions: { code: "UNAUTHENTICATED" } }]);
    expect(auth.logs.at(-1)).toMatchObject({ msg: "token refused", reason: expect.stringMatching(reason) });
    expect((await auth.call(VERIFY, { token: make() })).data?.verifyToken).toMatchObject({ valid: false, reason: publicReason });
    expect(auth.logs).toContainEqual(expect.objectContaining({ msg: "verifyToken: token not valid", reason: expect.stringMatching(reason) }));
    expect((await auth.call(`{ __typename }`)).data).toEqual({ __typename: "Query" });
  });
});

describe("verifyToken", () => {
  it("describes a valid token", async () => {
    const { accessToken } = await login(auth, user);
    const { exp } = jwt.decode(accessToken) as { exp: number };
    expect((await auth.call(VERIFY, { token: accessToken })).data?.verifyToken).toEqual({
      valid: true,
      reason: null,
      userId: user.id,
      email: user.email,
      roles: ["PRODUCTION"],
      scopes: ["batches:read", "batches:write", "qa:read", "users:read"],
      expiresAt: new Date(exp * 1000).toISOString(),
    });
  });

  it("says why a token is not valid instead of failing", async () => {
    expect((await auth.call(VERIFY, { token: "garbage" })).data?.verifyToken).toMatchObject({ valid: false, reason: "invalid token", roles: [] });
  });
});

const publicPem = () => createPublicKey(auth.privateKey).export({ type: "spki", format: "pem" }).toString();
const kid = () => keyId(createPublicKey(auth.privateKey));
const audience = () => ({ issuer: auth.runtime.config.issuer, audience: auth.runtime.config.audience });
const claims = () => ({ sub: user.id, email: user.email, roles: user.roles, scope: "batches:read" });
const sign = (over: Partial<Parameters<typeof signAccessToken>[1]>) =>
  signAccessToken(user, { privateKey: auth.privateKey, kid: kid(), ttlSeconds: 60, ...audience(), ...over });
