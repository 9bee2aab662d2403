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

/**
 * What every verifier checks besides the signature: issuer, audience, and how long and from
 * when a token may be valid.
 */
export interface TokenRules extends TokenAudience {
  /** Longest lifetime (`exp - iat`) accepted, seconds: the deployment's `ACCESS_TOKEN_TTL`. */
  maxTtlSeconds: number;
  /**
   * How far clocks may disagree, seconds, default {@link CLOCK_SKEW_SECONDS}: an `iat` further
   * in the future is refused, and a lifetime may exceed `maxTtlSeconds` by this much.
   */
  clockSkewSeconds?: number;
}

/** Default {@link TokenRules.clockSkewSeconds}. */
export const CLOCK_SKEW_SECONDS = 60;

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
  /**
   * The user's revocation generation when the token was issued (claim `gen`, 0 when absent): a
   * user-wide revocation raises the generation, and tokens of an older one are refused.
   */
  generation: number;
  /**
   * Set for a service token (claim `svc`, subject `service:<name>`): the calling service, which
   * acts for no user. Its `scopes` are exactly those it asked for; `roles` is empty.
   */
  service?: string;
}

/** The subject of a service's tokens: `service:<name>`, never a user id (user ids are UUIDs). */
export const serviceSubject = (service: string) => `service:${service}`;

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
  /** The user's revocation generation the token is issued under (claim `gen`), default 0. */
  generation?: number;
}

/** Signs a short-lived access token for a user. */
export function signAccessToken(
  user: { id: string; email: string; roles: Role[] },
  { privateKey, kid, issuer, audience, ttlSeconds, issuedAt = Math.floor(Date.now() / 1000), generation = 0 }: SignOptions,
): string {
  const claims = { email: user.email, roles: user.roles, scope: scopesForRoles(user.roles).join(" "), iat: issuedAt, gen: generation };
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

/**
 * Signs a short-lived token for a service (the OAuth2 client-credentials grant): subject
 * `service:<name>`, claim `svc`, exactly `scopes`, no roles, no email. Verified like any token.
 */
export function signServiceToken(
  service: string,
  scopes: readonly string[],
  { privateKey, kid, issuer, audience, ttlSeconds, issuedAt = Math.floor(Date.now() / 1000) }: Omit<SignOptions, "generation">,
): string {
  const claims = { svc: service, roles: [], scope: [...scopes].sort().join(" "), iat: issuedAt, gen: 0 };
  return jwt.sign(claims, privateKey, {
    algorithm: ALGORITHM,
    keyid: kid,
    subject: serviceSubject(service),
    issuer,
    audience,
    expiresIn: ttlSeconds,
    jwtid: randomUUID(),
  });
}

/** Finds the public key of a `kid`; throws when it is unknown. */
export type KeyLookup = (kid: string | undefined) => Promise<KeyObject | string>;

/**
 * What a client may be told about a refused token. Only expiry and revocation are named, because
 * clients act on them (refresh, or sign in again); anything else is "invalid token", so that a
 * refusal never tells a forger the expected issuer or audience, nor echoes what they sent.
 */
export type PublicTokenReason = "invalid token" | "token expired" | "token revoked";

/** Why a token was refused: the precise reason for logs, {@link publicReason} for the client. */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";

  /**
   * @param message the precise reason, for the log only
   * @param publicReason what the client is told, default "invalid token"
   */
  constructor(
    message: string,
    readonly publicReason: PublicTokenReason = "invalid token",
  ) {
    super(message);
  }
}

/** The message of the 401 a refused token gets: `Invalid token`, or `Invalid token: token expired|revoked`. */
export function refusalMessage({ publicReason }: InvalidTokenError): string {
  return publicReason === "invalid token" ? "Invalid token" : `Invalid token: ${publicReason}`;
}

const isGeneration = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/**
 * Verifies signature (ES256 only: `none` and HMAC are refused), `exp`, `iss`, `aud`, and that
 * the token was issued neither in the future nor for longer than `maxTtlSeconds` (each within
 * the clock-skew leeway): a token minted with a far `iat` or `exp` by whoever held a key for a
 * moment is no token of ours. Revocation is checked separately, against Redis.
 */
export async function verifyAccessToken(token: string, lookup: KeyLookup, rules: TokenRules): Promise<Principal> {
  const skew = rules.clockSkewSeconds ?? CLOCK_SKEW_SECONDS;
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
      issuer: rules.issuer,
      audience: rules.audience,
    }) as jwt.JwtPayload;
  } catch (err) {
    throw new InvalidTokenError((err as Error).message, err instanceof jwt.TokenExpiredError ? "token expired" : "invalid token");
  }
  const { sub, email, roles, scope, jti, iat, exp, gen = 0, svc } = claims;
  if (!sub || !jti || typeof iat !== "number" || typeof exp !== "number" || !Array.isArray(roles) || !isGeneration(gen)) {
    throw new InvalidTokenError("missing claims");
  }
  const now = Math.floor(Date.now() / 1000);
  if (iat > now + skew) throw new InvalidTokenError(`issued in the future (iat ${iat}, now ${now})`);
  if (exp - iat > rules.maxTtlSeconds + skew) {
    throw new InvalidTokenError(`lifetime ${exp - iat} s longer than ${rules.maxTtlSeconds} s`);
  }
  const service = typeof svc === "string" && sub === serviceSubject(svc) ? svc : undefined;
  if (svc !== undefined && service === undefined) throw new InvalidTokenError("service claim without its subject");
  return {
    userId: sub,
    email: typeof email === "string" ? email : "",
    roles: roles as Role[],
    scopes: typeof scope === "string" && scope ? scope.split(" ") : [],
    jti,
    iat,
    exp,
    generation: gen,
    ...(service ? { service } : {}),
  };
}
