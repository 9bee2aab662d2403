import { LRUCache } from "lru-cache";
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

/** How many verified tokens a verifier remembers, default of {@link TokenVerifier}. */
export const VERIFIED_TOKENS_REMEMBERED = 10_000;

/** A token whose signature and claims were verified, and the key that verified it. */
interface Verified {
  principal: Principal;
  key: Awaited<ReturnType<KeyLookup>>;
  kid: string | undefined;
}

/**
 * Verifies bearer tokens completely: signature, claims, then revocation. A token whose
 * signature and claims were verified is remembered (up to `remembered` tokens, each until its
 * `exp`), so a client's next requests cost a map lookup instead of a parse and an ECDSA
 * verification; the key that verified it must still be the set's key for its `kid` (a key
 * withdrawn from the JWKS takes its tokens with it), and revocation is checked on every call.
 */
export class TokenVerifier {
  private readonly verified: LRUCache<string, Verified>;

  constructor(
    private readonly lookup: KeyLookup,
    private readonly rules: TokenRules,
    /** The live revocations this verifier checks (open WebSockets listen to it too). */
    readonly revocations: Revocations,
    remembered = VERIFIED_TOKENS_REMEMBERED,
  ) {
    this.verified = new LRUCache<string, Verified>({ max: remembered });
  }

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
    const principal = (await this.remembered(token)) ?? (await this.verifyAndRemember(token));
    if (await this.revocations.isRevoked(principal)) throw new InvalidTokenError("token revoked", "token revoked");
    return principal;
  }

  /** The principal of a token verified before, if it has not expired and its key is still current. */
  private async remembered(token: string): Promise<Principal | undefined> {
    const entry = this.verified.get(token);
    if (!entry) return undefined;
    if (entry.principal.exp <= Date.now() / 1000) {
      this.verified.delete(token);
      throw new InvalidTokenError("jwt expired", "token expired");
    }
    const current = await this.lookup(entry.kid).catch(() => undefined);
    if (current === entry.key) return entry.principal;
    this.verified.delete(token);
    return undefined;
  }

  private async verifyAndRemember(token: string): Promise<Principal> {
    let kid: string | undefined;
    let key: Verified["key"] | undefined;
    const verified = await verifyAccessToken(
      token,
      async (k) => {
        kid = k;
        key = await this.lookup(k);
        return key;
      },
      this.rules,
    );
    const principal = Object.freeze({
      ...verified,
      roles: Object.freeze(verified.roles) as Principal["roles"],
      scopes: Object.freeze(verified.scopes) as string[],
    });
    // Kept until the token expires; callers share the frozen principal.
    const ttl = principal.exp * 1000 - Date.now();
    if (key !== undefined && ttl > 0) this.verified.set(token, { principal, key, kid }, { ttl });
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
