import type { Logger } from "#lib/logger.js";

/** A service token and when it stops being valid (ms since the epoch). */
export interface ServiceToken {
  token: string;
  expiresAt: number;
}

export interface ServiceTokensOptions {
  /** The auth subgraph's base URL (`AUTH_URL`): tokens come from its `POST /oauth/token`. */
  authUrl: string;
  /** `GATEWAY_SERVICE_SECRET`, the secret of client `gateway`. */
  secret: string;
  logger: Logger;
  /** How long one token request may take, ms. Default 5000. */
  timeoutMs?: number;
}

/** A token is renewed once less than this share of its lifetime is left. */
const RENEW_AT = 1 / 3;

/** What the auth subgraph says about a refused request (RFC 6749 §5.2). */
class ServiceTokenError extends Error {
  override name = "ServiceTokenError";
}

/**
 * The gateway's service tokens (the OAuth2 client-credentials grant of the auth subgraph), one
 * per scope set, each renewed when a third of its lifetime is left; requests for the same scope
 * set while one is under way share it. The shared subscription upstreams and their enrichment
 * fetches use them, so that they never depend on the token of the member who opened them.
 */
export class ServiceTokens {
  private readonly tokens = new Map<string, { current?: ServiceToken; renewAt: number; pending?: Promise<ServiceToken> }>();

  constructor(private readonly options: ServiceTokensOptions) {}

  /**
   * A token with exactly `scopes` (in any order) valid for at least `minValidMs` more, from the
   * cache or newly issued. Default 5 s: enough for one call.
   */
  async get(scopes: readonly string[], minValidMs = 5_000): Promise<ServiceToken> {
    const scope = [...new Set(scopes)].sort().join(" ");
    const entry = this.tokens.get(scope) ?? { renewAt: 0 };
    this.tokens.set(scope, entry);
    const now = Date.now();
    const lasts = (token: ServiceToken | undefined) => token !== undefined && token.expiresAt - now >= minValidMs;
    if (lasts(entry.current) && now < entry.renewAt) return entry.current!;
    entry.pending ??= this.request(scope)
      .then((token) => {
        entry.current = token;
        entry.renewAt = token.expiresAt - (token.expiresAt - Date.now()) * RENEW_AT;
        return token;
      })
      .finally(() => (entry.pending = undefined));
    // A token still valid long enough serves while its successor is requested.
    if (lasts(entry.current)) {
      entry.pending.catch((err: Error) => this.options.logger.warn({ err, scope }, "renewing a service token failed; the current one serves meanwhile"));
      return entry.current!;
    }
    const token = await entry.pending;
    // Renewed a moment ago by a request that had started before `minValidMs` was asked for.
    return lasts(token) ? token : this.get(scopes, minValidMs);
  }

  private async request(scope: string): Promise<ServiceToken> {
    const { authUrl, secret, timeoutMs = 5_000 } = this.options;
    const requestedAt = Date.now();
    const response = await fetch(`${authUrl}/oauth/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`gateway:${encodeURIComponent(secret)}`).toString("base64")}`,
      },
      body: new URLSearchParams({ grant_type: "client_credentials", scope }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown };
    if (!response.ok || typeof body.access_token !== "string" || typeof body.expires_in !== "number") {
      throw new ServiceTokenError(
        `the auth subgraph refused a service token (HTTP ${response.status}): ${String(body.error ?? "no token")} ${String(body.error_description ?? "")}`.trim(),
      );
    }
    // Counted from before the request: the token cannot have been issued earlier.
    return { token: body.access_token, expiresAt: requestedAt + body.expires_in * 1000 };
  }
}
