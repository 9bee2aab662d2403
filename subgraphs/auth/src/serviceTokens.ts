import { createHash, timingSafeEqual } from "node:crypto";
import express from "express";
import type { TokenAudience } from "#lib/auth/tokens.js";
import type { ServiceTokenSettings } from "#lib/config.js";
import { SCOPES_BY_ROLE } from "#lib/auth/scopes.js";
import { signServiceToken } from "#lib/auth/tokens.js";
import type { Logger } from "#lib/logger.js";
import type { SigningKey } from "./keys.js";

/** The scopes a service may ask for: every scope a role grants, and no other. */
const KNOWN_SCOPES = new Set(Object.values(SCOPES_BY_ROLE).flat());

/** The services that may get tokens, by client id. Only the gateway for now (its shared subscription upstreams). */
type Clients = ReadonlyMap<string, Buffer>;

const digest = (secret: string) => createHash("sha256").update(secret).digest();

/** An OAuth2 error answer (RFC 6749 §5.2), never cached. */
function refuse(res: express.Response, status: number, error: string, description: string) {
  if (status === 401) res.set("www-authenticate", 'Basic realm="oauth"');
  res.status(status).set("cache-control", "no-store").json({ error, error_description: description });
}

/** Client id and secret from `Authorization: Basic` (client_secret_basic) or the form (client_secret_post). */
function clientCredentials(req: express.Request): { id: string; secret: string } | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith("Basic ")) {
    const decoded = Buffer.from(header.slice(6), "base64").toString();
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  const { client_id: id, client_secret: secret } = (req.body ?? {}) as Record<string, unknown>;
  return typeof id === "string" && typeof secret === "string" ? { id, secret } : undefined;
}

/**
 * `POST /oauth/token`: the OAuth2 client-credentials grant (RFC 6749 §4.4) for services. Client
 * `gateway` authenticates with `GATEWAY_SERVICE_SECRET` and names the scopes it needs
 * (`scope=batches:read users:read`); the token it gets carries exactly those, subject
 * `service:gateway`, and lives `SERVICE_TOKEN_TTL` seconds. It is signed with the users' key and
 * verified by every service like any token: the gateway uses one per scope set for the
 * subscription upstreams its subscribers share, so that no user's token outlives its owner's
 * presence in the call.
 */
export function serviceTokenRoute(key: SigningKey, audience: TokenAudience, settings: ServiceTokenSettings, logger: Logger): express.Router {
  const clients: Clients = new Map([["gateway", digest(settings.gatewaySecret)]]);
  return express.Router().post("/oauth/token", express.urlencoded({ extended: false, limit: "4kb" }), (req, res) => {
    const { grant_type: grantType, scope } = (req.body ?? {}) as Record<string, unknown>;
    const client = clientCredentials(req);
    const expected = client && clients.get(client.id);
    // Compared as digests, in constant time: the secret's length leaks nothing either.
    if (!client || !expected || !timingSafeEqual(expected, digest(client.secret))) {
      logger.warn({ clientId: client?.id }, "service token refused: unknown client or wrong secret");
      return refuse(res, 401, "invalid_client", "Unknown client or wrong secret");
    }
    if (grantType !== "client_credentials") return refuse(res, 400, "unsupported_grant_type", "Only grant_type=client_credentials is supported");
    const scopes = typeof scope === "string" ? [...new Set(scope.split(" ").filter(Boolean))].sort() : [];
    if (scopes.length === 0) return refuse(res, 400, "invalid_scope", "Name the scopes the token needs (scope=a b)");
    const unknown = scopes.filter((s) => !KNOWN_SCOPES.has(s));
    if (unknown.length > 0) return refuse(res, 400, "invalid_scope", `Unknown scope ${unknown.join(", ")}`);
    const token = signServiceToken(client.id, scopes, { privateKey: key.privateKey, kid: key.kid, ...audience, ttlSeconds: settings.ttlSeconds });
    res.set("cache-control", "no-store").json({ access_token: token, token_type: "Bearer", expires_in: settings.ttlSeconds, scope: scopes.join(" ") });
  });
}
