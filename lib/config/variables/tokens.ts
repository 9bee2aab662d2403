import { integer, optional, text } from "../variable.js";
import { SERVICES } from "./readers.js";

/** The access tokens every service checks, and the key the auth subgraph signs them with. */

export const JWT_ISSUER = text({
  name: "JWT_ISSUER",
  description: "`iss` of every token; the same on every service",
  readers: SERVICES,
  default: "batch-supergraph-auth",
});

export const JWT_AUDIENCE = text({
  name: "JWT_AUDIENCE",
  description: "`aud` of every token; the same on every service",
  readers: SERVICES,
  default: "batch-supergraph",
});

export const ACCESS_TOKEN_TTL = integer({
  name: "ACCESS_TOKEN_TTL",
  description: "access-token lifetime, seconds; every service refuses a token meant to live longer",
  readers: SERVICES,
  default: 900,
  min: 30,
  max: 86_400,
});

export const JWT_PRIVATE_KEY = optional({
  name: "JWT_PRIVATE_KEY",
  description: "the auth subgraph's ES256 signing key (PEM, P-256); wins over `JWT_PRIVATE_KEY_FILE`. One of the two is required in production",
  readers: ["auth"],
  shownDefault: "generated into `.data/` in development",
  accepts: "a PEM private key",
});

export const JWT_PRIVATE_KEY_FILE = optional({
  name: "JWT_PRIVATE_KEY_FILE",
  description: "a file holding that key (mounted read-only into the auth container)",
  readers: ["auth"],
  accepts: "a path",
});

export const REFRESH_TOKEN_TTL = integer({
  name: "REFRESH_TOKEN_TTL",
  description: "refresh-token lifetime, seconds",
  readers: ["auth"],
  default: 7 * 86_400,
  min: 60,
  max: 366 * 86_400,
});
