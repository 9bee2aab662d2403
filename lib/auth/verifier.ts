import { bearerToken } from "./bearer.js";
import { JwksKeys, type JwksKeysOptions } from "./jwksKeys.js";
import type { Revocations } from "./revocationSync.js";
import { InvalidTokenError, verifyAccessToken, type KeyLookup, type Principal, type TokenAudience, type TokenRules } from "./tokens.js";

/**
 * Public keys from the auth subgraph's JWKS (see {@link JwksKeys}): every key of the last good
 * fetch kept, refreshed in the background when stale, an unknown `kid` refetched at most once
 * per cooldown.
 */
export function jwksKeyLookup(jwksUri: string, options: JwksKeysOptions = {}): KeyLookup {
  const keys = new JwksKeys(jwksUri, options);
  return (kid) => keys.get(kid);
}

/** Verifies bearer tokens completely: signature, claims, then revocation. */
export class TokenVerifier {
  constructor(
    private readonly lookup: KeyLookup,
    private readonly rules: TokenRules,
    /** The live revocations this verifier checks (open WebSockets listen to it too). */
    readonly revocations: Revocations,
  ) {}

  /**
   * The verifier of every service but auth: keys from the auth subgraph's JWKS
   * (`<authUrl>/.well-known/jwks.json`), revocations from the service's in-memory list, lifetimes bounded by the
   * service's `ACCESS_TOKEN_TTL`. `keys` tunes how the JWKS is cached (defaults in {@link JwksKeysOptions}).
   */
  static fromJwks(
    config: TokenAudience & { authUrl: string; accessTokenTtlSeconds: number },
    revocations: Revocations,
    keys: JwksKeysOptions = {},
  ): TokenVerifier {
    const rules = { issuer: config.issuer, audience: config.audience, maxTtlSeconds: config.accessTokenTtlSeconds };
    return new TokenVerifier(jwksKeyLookup(`${config.authUrl}/.well-known/jwks.json`, keys), rules, revocations);
  }

  /** The principal of a valid token; throws {@link InvalidTokenError} with the reason otherwise. */
  async verify(token: string): Promise<Principal> {
    const principal = await verifyAccessToken(token, this.lookup, this.rules);
    if (await this.revocations.isRevoked(principal)) throw new InvalidTokenError("token revoked", "token revoked");
    return principal;
  }

  /**
   * Reads an `Authorization` header: no header is an anonymous caller (`null`); anything
   * else must be `Bearer <valid token>`.
   */
  async authenticate(header: string | undefined): Promise<Principal | null> {
    if (header === undefined || header === "") return null;
    const token = bearerToken(header);
    if (!token) throw new InvalidTokenError("Authorization header must be `Bearer <token>`");
    return this.verify(token);
  }
}
