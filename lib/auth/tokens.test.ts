import { createSecretKey, generateKeyPairSync } from "node:crypto";
import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { keyId, refusalMessage, signAccessToken, verifyAccessToken, type KeyLookup } from "./tokens.js";

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const kid = keyId(publicKey);
const audience = { issuer: "test-issuer", audience: "test-audience" };
const rules = { ...audience, maxTtlSeconds: 300 };
const lookup: KeyLookup = async (k) => {
  if (k !== kid) throw new Error("unknown kid");
  return publicKey;
};
const user = { id: "3f1c2d4e-0000-4000-8000-000000000001", email: "qa@example.com", roles: ["QA" as const] };
const sign = (over: Partial<Parameters<typeof signAccessToken>[1]> = {}) => signAccessToken(user, { privateKey, kid, ttlSeconds: 300, ...audience, ...over });
const now = () => Math.floor(Date.now() / 1000);

describe("access tokens", () => {
  it("round-trips a user with scopes, jti, expiry and revocation generation", async () => {
    const principal = await verifyAccessToken(sign({ generation: 1_764_000_000_123 }), lookup, rules);
    expect(principal).toEqual({
      userId: user.id,
      email: "qa@example.com",
      roles: ["QA"],
      scopes: ["batches:read", "batches:release", "qa:approve", "qa:read", "qa:write", "users:read"],
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      exp: principal.iat + 300,
      generation: 1_764_000_000_123,
    });
    expect((await verifyAccessToken(sign(), lookup, rules)).generation).toBe(0);
    expect(jwt.decode(sign(), { complete: true })?.header).toEqual({ alg: "ES256", typ: "JWT", kid });
  });

  const refused: [string, () => string, RegExp, string?][] = [
    ["expired", () => sign({ ttlSeconds: -10 }), /jwt expired/, "token expired"],
    ["issued beyond the clock-skew leeway ahead", () => sign({ issuedAt: now() + 61, ttlSeconds: 60 }), /^issued in the future/],
    ["lifetime over the maximum and its leeway", () => sign({ ttlSeconds: 361 }), /^lifetime 361 s longer than 300 s$/],
    ["a generation that is not a whole number", () => sign({ generation: -1 }), /missing claims/],
    ["wrong audience", () => sign({ audience: "other" }), /audience invalid/],
    ["wrong issuer", () => sign({ issuer: "other" }), /issuer invalid/],
    ["unknown kid", () => sign({ kid: "nope" }), /unknown signing key nope/],
    [
      "wrong signature",
      () => signAccessToken(user, { ...audience, kid, ttlSeconds: 60, privateKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey }),
      /invalid signature/,
    ],
    ["alg none", () => jwt.sign({ sub: user.id, jti: "x", roles: [] }, null, { algorithm: "none", ...audience, keyid: kid }), /algorithm none not accepted/],
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

  it.each(refused)("refuses a token with %s, telling the client only what it may know", async (_name, make, reason, publicReason = "invalid token") => {
    const refusal = await verifyAccessToken(make(), lookup, rules).catch((err: unknown) => err);
    expect(refusal).toMatchObject({ name: "InvalidTokenError", message: expect.stringMatching(reason), publicReason });
    expect(refusalMessage(refusal as never)).toBe(publicReason === "invalid token" ? "Invalid token" : `Invalid token: ${publicReason}`);
  });

  it("accepts an iat within the clock-skew leeway ahead and a lifetime within its leeway", async () => {
    await expect(verifyAccessToken(sign({ issuedAt: now() + 50, ttlSeconds: 60 }), lookup, rules)).resolves.toMatchObject({ userId: user.id });
    await expect(verifyAccessToken(sign({ ttlSeconds: 360 }), lookup, rules)).resolves.toMatchObject({ userId: user.id });
    await expect(verifyAccessToken(sign({ ttlSeconds: 400 }), lookup, { ...rules, clockSkewSeconds: 100 })).resolves.toMatchObject({ userId: user.id });
  });
});
