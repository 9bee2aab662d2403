import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet } from "jose";

/** Longest `kid` looked up; the auth subgraph's are 43 characters (a SHA-256 thumbprint). */
export const MAX_KID_LENGTH = 128;

/** How the public keys of a JWKS are kept and refreshed. */
export interface JwksKeysOptions {
  /**
   * After this many milliseconds the set is refreshed in the background on the next lookup,
   * default 300 000 (the `max-age` the auth subgraph serves its JWKS with). Until a refresh
   * succeeds, the keys already known stay in use.
   */
  maxAgeMs?: number;
  /**
   * Shortest time between two fetches, whatever causes them (an unknown `kid`, a stale set, a
   * failed fetch), in milliseconds, default 30 000. Before the first successful fetch the
   * wait is at most one second: no token can be verified without a set.
   */
  cooldownMs?: number;
  /** Longest one fetch may take, in milliseconds, default 5000. */
  timeoutMs?: number;
  /** Told about each failed fetch (the keys already known stay in use). */
  onError?: (err: unknown) => void;
}

/** Looking a `kid` up failed; the message says why (for logs and `verifyToken`). */
export class UnknownKeyError extends Error {
  override name = "UnknownKeyError";
}

/**
 * The public keys of a remote JWKS, kept as `KeyObject`s (each made once per key, not per
 * verification). A `kid` the set does not hold triggers one fetch at most per cooldown,
 * shared by every caller that asks meanwhile, and otherwise fails at once without any network
 * call: random `kid`s cannot make the service hammer the JWKS, nor exhaust a fetch budget that
 * genuine keys need. `jose` fetches and checks the set (timeout, no redirects, shape).
 */
export class JwksKeys {
  private readonly remote: ReturnType<typeof createRemoteJWKSet>;
  private readonly maxAgeMs: number;
  private readonly cooldownMs: number;
  private readonly onError: (err: unknown) => void;
  private keys = new Map<string, { jwk: string; key: KeyObject }>();
  private loadedAt: number | undefined;
  private attemptedAt: number | undefined;
  private pending: Promise<void> | undefined;

  constructor(url: string, { maxAgeMs = 300_000, cooldownMs = 30_000, timeoutMs = 5_000, onError = () => undefined }: JwksKeysOptions = {}) {
    // jose's own lookups are never used (they refetch whenever the set is stale, and wait for
    // it): only its `reload`, which this class calls on its own schedule.
    this.remote = createRemoteJWKSet(new URL(url), { timeoutDuration: timeoutMs, cacheMaxAge: Infinity, cooldownDuration: 0 });
    this.maxAgeMs = maxAgeMs;
    this.cooldownMs = cooldownMs;
    this.onError = onError;
  }

  /** The key of `kid`; throws {@link UnknownKeyError} when the set does not hold it. */
  async get(kid: string | undefined): Promise<KeyObject> {
    if (typeof kid !== "string" || kid === "") throw new UnknownKeyError("token has no kid");
    if (kid.length > MAX_KID_LENGTH) throw new UnknownKeyError(`kid longer than ${MAX_KID_LENGTH} characters`);
    const known = this.keys.get(kid);
    if (known) {
      if (this.isStale() && this.mayFetch()) void this.refresh();
      return known.key;
    }
    if (this.mayFetch()) await this.refresh();
    const found = this.keys.get(kid);
    if (!found) throw new UnknownKeyError(`no key ${kid} in the JWKS`);
    return found.key;
  }

  private isStale(): boolean {
    return this.loadedAt === undefined || Date.now() - this.loadedAt >= this.maxAgeMs;
  }

  /** A fetch is under way (joining it costs nothing), or the last attempt is a cooldown old. */
  private mayFetch(): boolean {
    if (this.pending || this.attemptedAt === undefined) return true;
    const wait = this.loadedAt === undefined ? Math.min(this.cooldownMs, 1_000) : this.cooldownMs;
    return Date.now() - this.attemptedAt >= wait;
  }

  /** One fetch at a time; never rejects: a failed fetch keeps the keys already known. */
  private refresh(): Promise<void> {
    this.pending ??= this.fetchKeys().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchKeys(): Promise<void> {
    this.attemptedAt = Date.now();
    try {
      await this.remote.reload();
      const next = new Map<string, { jwk: string; key: KeyObject }>();
      for (const jwk of this.remote.jwks()?.keys ?? []) {
        if (typeof jwk.kid !== "string" || jwk.kid.length > MAX_KID_LENGTH || jwk.kty !== "EC" || (jwk.use && jwk.use !== "sig")) continue;
        const { kid, alg: _alg, use: _use, key_ops: _ops, ...material } = jwk;
        const serialized = JSON.stringify(material);
        const previous = this.keys.get(kid);
        try {
          next.set(kid, previous?.jwk === serialized ? previous : { jwk: serialized, key: createPublicKey({ key: material as JsonWebKey, format: "jwk" }) });
        } catch (err) {
          this.onError(new Error(`JWKS key ${kid} unusable`, { cause: err }));
        }
      }
      this.keys = next;
      this.loadedAt = Date.now();
    } catch (err) {
      this.onError(err);
    }
  }
}
