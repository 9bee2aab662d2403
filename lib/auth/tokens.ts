import { createHash, randomUUID, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { scopesForRoles, type Role } from "./scopes.js";

/** The only algorithm tokens are signed and accepted with. */
export const ALGORITHM = "ES256";

/** Issuer and audience every token carries and every verifier checks. */
export interface TokenAudience {
  /** `JWT_ISSUER`, default `batch-supergraph-auth`. */
  issuer: string;
  /** `JWT_AUDIENCE`, default `batch-supergraph`. */
  audience: string;
}

/** Who a verified access token speaks for. */
export interface Principal {
  userId: string;
  email: string;
  roles: Role[];
  scopes: string[];
  /** Token id, the key of the revocation denylist. */
  jti: string;
  /** Issue and expiry times, seconds since the epoch. */
  iat: number;
  exp: number;
}

/** The key id of an EC public key: its RFC 7638 JWK thumbprint. */
export function keyId(publicKey: KeyObject): string {
  const { crv, kty, x, y } = publicKey.export({ format: "jwk" });
  const canonical = JSON.stringify({ crv, kty, x, y });
  return createHash("sha256").update(canonical).digest("base64url");
}

export interface SignOptions extends TokenAudience {
  privateKey: KeyObject;
  kid: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
  /** `iat` in seconds since the epoch, default now. */
  issuedAt?: number;
}

/** Signs a short-lived access token for a user. */
export function signAccessToken(
  user: { id: string; email: string; roles: Role[] },
  { privateKey, kid, issuer, audience, ttlSeconds, issuedAt = Math.floor(Date.now() / 1000) }: SignOptions,
): string {
  const claims = { email: user.email, roles: user.roles, scope: scopesForRoles(user.roles).join(" "), iat: issuedAt };
  return jwt.sign(claims, privateKey, {
    algorithm: ALGORITHM,
    keyid: kid,
    subject: user.id,
    issuer,
    audience,
    expiresIn: ttlSeconds,
    jwtid: randomUUID(),
  });
}

/** Finds the public key of a `kid`; throws when it is unknown. */
export type KeyLookup = (kid: string | undefined) => Promise<KeyObject | string>;

/** Why a token was refused, for logs and `verifyToken`; clients only see UNAUTHENTICATED. */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/**
 * Verifies signature (ES256 only: `none` and HMAC are refused), `exp`, `iss` and `aud`.
 * Revocation is checked separately, against Redis.
 */
export async function verifyAccessToken(token: string, lookup: KeyLookup, expected: TokenAudience): Promise<Principal> {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === "string") throw new InvalidTokenError("malformed token");
  if (decoded.header.alg !== ALGORITHM) throw new InvalidTokenError(`algorithm ${decoded.header.alg} not accepted`);
  let key: KeyObject | string;
  try {
    key = await lookup(decoded.header.kid);
  } catch {
    throw new InvalidTokenError(`unknown signing key ${decoded.header.kid ?? "(no kid)"}`);
  }
  let claims: jwt.JwtPayload;
  try {
    claims = jwt.verify(token, key, {
      algorithms: [ALGORITHM],
      issuer: expected.issuer,
      audience: expected.audience,
    }) as jwt.JwtPayload;
  } catch (err) {
    throw new InvalidTokenError((err as Error).message);
  }
  const { sub, email, roles, scope, jti, iat, exp } = claims;
  if (!sub || !jti || typeof iat !== "number" || typeof exp !== "number" || !Array.isArray(roles)) {
    throw new InvalidTokenError("missing claims");
  }
  return {
    userId: sub,
    email: String(email),
    roles: roles as Role[],
    scopes: typeof scope === "string" && scope ? scope.split(" ") : [],
    jti,
    iat,
    exp,
  };
}
