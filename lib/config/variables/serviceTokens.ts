import { ConfigError, custom, integer, type Env } from "../variable.js";

/** Service-to-service authentication: the gateway's client credentials and the tokens the auth subgraph issues for them. */

/** The secret of client `gateway` in development, when `GATEWAY_SERVICE_SECRET` is unset. */
export const DEVELOPMENT_SERVICE_SECRET = "development-only-gateway-service-secret";

/** Shortest `GATEWAY_SERVICE_SECRET` accepted. */
const MIN_SECRET = 32;

export const GATEWAY_SERVICE_SECRET = custom<string | undefined>({
  name: "GATEWAY_SERVICE_SECRET",
  description:
    "client secret of the gateway's client-credentials grant (`POST /oauth/token` on the auth subgraph): the gateway's service tokens authenticate shared subscription upstreams. The same on the gateway and auth; required in production",
  readers: ["gateway", "auth"],
  shownDefault: "a fixed development secret; none in production",
  accepts: `${MIN_SECRET} characters or more, no spaces`,
  parse(raw) {
    if (raw !== undefined && (raw.length < MIN_SECRET || /\s/.test(raw))) {
      throw new ConfigError("GATEWAY_SERVICE_SECRET", `expected at least ${MIN_SECRET} characters without spaces`);
    }
    return raw;
  },
});

/** `GATEWAY_SERVICE_SECRET`, or the development secret; in production an unset one refuses to start. */
export function readServiceSecret(env: Env, production: boolean): string {
  const secret = GATEWAY_SERVICE_SECRET.read(env);
  if (secret !== undefined) return secret;
  if (production) throw new ConfigError(GATEWAY_SERVICE_SECRET.name, "required in production (a random secret, the same on the gateway and the auth subgraph)");
  return DEVELOPMENT_SERVICE_SECRET;
}

export const SERVICE_TOKEN_TTL = integer({
  name: "SERVICE_TOKEN_TTL",
  description: "lifetime of a service token, seconds; at most `ACCESS_TOKEN_TTL`, since every service refuses a token meant to live longer",
  readers: ["auth"],
  default: 300,
  min: 30,
  max: 86_400,
});
