import { createPublicKey, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { keyId } from "#lib/auth/tokens.js";
import { newSigningKey } from "../../test/support/stack.js";

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * Tokens an attacker could present, each wrong in exactly one way, built from the stack's real
 * signing key where that is the point of the attack.
 */
export function forgedTokens(privateKey: KeyObject, claims: { sub: string; iss: string; aud: string }) {
  const publicKey = createPublicKey(privateKey);
  const kid = keyId(publicKey);
  const payload = { email: "admin@example.com", roles: ["ADMIN"], scope: "auth:admin users:read users:write" };
  const sign = (key: KeyObject, options: jwt.SignOptions, extra: { exp?: number; iat?: number } = {}) =>
    jwt.sign({ ...payload, ...extra }, key, {
      algorithm: "ES256",
      subject: claims.sub,
      issuer: claims.iss,
      audience: claims.aud,
      jwtid: crypto.randomUUID(),
      ...(extra.exp === undefined ? { expiresIn: 300 } : {}),
      ...options,
    });
  const now = Math.floor(Date.now() / 1000);
  const stranger = newSigningKey();
  return {
    expired: sign(privateKey, { keyid: kid }, { iat: now - 3600, exp: now - 1800 }),
    "wrong signature": sign(stranger, { keyid: kid }),
    "alg none": `${base64url({ alg: "none", typ: "JWT", kid })}.${base64url({
      ...payload,
      sub: claims.sub,
      iss: claims.iss,
      aud: claims.aud,
      jti: crypto.randomUUID(),
      iat: now,
      exp: now + 300,
    })}.`,
    "HS256 signed with the public key": jwt.sign(
      { ...payload, sub: claims.sub, iss: claims.iss, aud: claims.aud, jti: crypto.randomUUID() },
      publicKey.export({ format: "pem", type: "spki" }).toString(),
      { algorithm: "HS256", keyid: kid, expiresIn: 300 },
    ),
    "wrong audience": sign(privateKey, { keyid: kid, audience: "someone-else" }),
    "wrong issuer": sign(privateKey, { keyid: kid, issuer: "https://evil.example" }),
    "unknown kid": sign(stranger, { keyid: keyId(createPublicKey(stranger)) }),
    "not a JWT": "definitely-not-a-token",
  };
}
