import { createSecretKey, generateKeyPairSync } from "node:crypto";
import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { keyId, signAccessToken, verifyAccessToken, type KeyLookup } from "./tokens.js";

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const kid = keyId(publicKey);
const audience = { issuer: "test-issuer", audience: "test-audience" };
const lookup: KeyLookup = async (k) => {
  if (k !== kid) throw new Error("unknown kid");
  return publicKey;
};
const user = { id: "3f1c2d4e-0000-4000-8000-000000000001", email: "qa@example.com", roles: ["QA" as const] };
const sign = (over: Partial<Parameters<typeof signAccessToken>[1]> = {}) =>
  signAccessToken(user, { privateKey, kid, ttlSeconds: 300, ...audience, ...over });

describe("access tokens", () => {
  it("round-trips a user with scopes, jti and expiry", async () => {
    const principal = await verifyAccessToken(sign(), lookup, audience);
    expect(principal).toEqual({
      userId: user.id,
      email: "qa@example.com",
      roles: ["QA"],
      scopes: ["batches:read", "batches:release", "users:read"],
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      exp: principal.iat + 300,
    });
    expect(jwt.decode(sign(), { complete: true })?.header).toEqual({ alg: "ES256", typ: "JWT", kid });
  });

  const refused: [string, () => string, RegExp][] = [
    ["expired", () => sign({ ttlSeconds: -10 }), /jwt expired/],
    ["wrong audience", () => sign({ audience: "other" }), /audience invalid/],
    ["wrong issuer", () => sign({ issuer: "other" }), /issuer invalid/],
    ["unknown kid", () => sign({ kid: "nope" }), /unknown signing key nope/],
    [
      "wrong signature",
      () => signAccessToken(user, { ...audience, kid, ttlSeconds: 60, privateKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey }),
      /invalid signature/,
    ],
    [
      "alg none",
      () => jwt.sign({ sub: user.id, jti: "x", roles: [] }, null, { algorithm: "none", ...audience, keyid: kid }),
      /algorithm none not accepted/,
    ],
    [
      "HS256 signed with the public key",
      () =>
        jwt.sign({ sub: user.id, jti: "x", roles: [] }, createSecretKey(Buffer.from(publicKey.export({ type: "spki", format: "pem" }))), {
          algorithm: "HS256",
          ...audience,
          keyid: kid,
        }),
      /algorithm HS256 not accepted/,
    ],
    ["garbage", () => "not.a.jwt", /malformed token/],
  ];

  it.each(refused)("refuses a token with %s", async (_name, make, reason) => {
    await expect(verifyAccessToken(make(), lookup, audience)).rejects.toMatchObject({
      name: "InvalidTokenError",
      message: expect.stringMatching(reason),
    });
  });
});
