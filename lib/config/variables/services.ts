import express from "express";
import { ConfigError, custom, integer, oneOf, optional, text, url, type Reader } from "../variable.js";
import { SUBGRAPH_NAMES, type ServiceName, type SubgraphName } from "../subgraphNames.js";
import { SERVICES } from "./readers.js";

/** Where each service listens and finds the others, and how it runs. */

export const HOST = text({
  name: "HOST",
  description: "interface the services listen on (`0.0.0.0` in containers)",
  readers: SERVICES,
  default: "127.0.0.1",
});

const port = (name: string, service: ServiceName, what: string, value: number) =>
  integer({ name, description: `${what}'s port; \`0\` picks a free one (logged)`, readers: [service], default: value, min: 0, max: 65_535 });

export const GATEWAY_PORT = port("GATEWAY_PORT", "gateway", "the gateway", 8000);
export const AUTH_PORT = port("AUTH_PORT", "auth", "the auth subgraph", 8001);
export const USER_PORT = port("USER_PORT", "user", "the user subgraph", 8002);
export const PRODUCTION_PORT = port("PRODUCTION_PORT", "production", "the production subgraph", 8003);
export const QA_PORT = port("QA_PORT", "qa", "the qa subgraph", 8004);

const serviceUrl = (name: string, description: string, readers: Reader[], value: number) =>
  url({ name, description, readers, default: `http://127.0.0.1:${value}`, protocols: ["http:", "https:"], trimSlash: true });

export const AUTH_URL = serviceUrl(
  "AUTH_URL",
  "where the auth subgraph is reached: its JWKS, the user subgraph's calls, the gateway's subgraph",
  ["gateway", ...SUBGRAPH_NAMES.filter((name) => name !== "auth")],
  8001,
);
export const USER_URL = serviceUrl("USER_URL", "where the gateway reaches the user subgraph", ["gateway"], 8002);
export const PRODUCTION_URL = serviceUrl(
  "PRODUCTION_URL",
  "where the production subgraph is reached: the gateway's subgraph, and the qa subgraph's batch lookups",
  ["gateway", "qa"],
  8003,
);
export const QA_URL = serviceUrl("QA_URL", "where the gateway reaches the qa subgraph", ["gateway"], 8004);

/** Each service's `<NAME>_PORT`. */
export const SERVICE_PORTS = {
  gateway: GATEWAY_PORT,
  auth: AUTH_PORT,
  user: USER_PORT,
  production: PRODUCTION_PORT,
  qa: QA_PORT,
} as const satisfies Record<ServiceName, unknown>;

/** Each subgraph's `<NAME>_URL`: where the gateway (and, for auth, the other subgraphs) reach it. */
export const SUBGRAPH_URLS = {
  auth: AUTH_URL,
  user: USER_URL,
  production: PRODUCTION_URL,
  qa: QA_URL,
} as const satisfies Record<SubgraphName, unknown>;

export const NODE_ENV = custom({
  name: "NODE_ENV",
  description: "`production`: no Sandbox, no introspection, no schema hints in errors, no demo users, a strict Content Security Policy",
  readers: [...SERVICES, "prepare"],
  shownDefault: "unset",
  accepts: "`production`, anything else is development",
  parse: (raw) => raw === "production",
});

export const LOG_LEVEL = oneOf({
  name: "LOG_LEVEL",
  description: "lowest level logged; `debug` adds one line per GraphQL operation",
  readers: SERVICES,
  default: "info",
  values: ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
});

/** Shortest `METRICS_TOKEN` accepted: a scrape token is a secret, not a password to remember. */
const MIN_METRICS_TOKEN = 16;

export const METRICS_TOKEN = optional({
  name: "METRICS_TOKEN",
  description:
    "when set, `/metrics` on every service answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, `/metrics` is open, except on the gateway in production, which then does not serve it",
  readers: SERVICES,
  accepts: `${MIN_METRICS_TOKEN} characters or more, no spaces`,
  check: (token) => (token.length < MIN_METRICS_TOKEN || /\s/.test(token) ? `expected at least ${MIN_METRICS_TOKEN} characters without spaces` : undefined),
});

/** Express's `trust proxy` setting: hops, or addresses and ranges. */
export type TrustProxy = number | string;

/** `TRUST_PROXY` of a subgraph when unset: the gateway calls it from a local address. */
export const SUBGRAPH_TRUST_PROXY: TrustProxy = "loopback";

export const TRUST_PROXY = custom<TrustProxy | undefined>({
  name: "TRUST_PROXY",
  description:
    "proxy hops (`1`) or addresses whose `X-Forwarded-For` gives the client IP. The gateway sends its client's IP to the subgraphs in `X-Forwarded-For`, so a subgraph must trust the gateway's address (the default covers a local stack; `docker-compose.yml` sets the stack's network)",
  readers: SERVICES,
  shownDefault: `gateway: unset (the socket's address is the client's); subgraphs: \`${SUBGRAPH_TRUST_PROXY}\``,
  accepts: "a number of hops, or addresses and ranges (`10.0.0.0/8, 127.0.0.1`, Express's `loopback`, `linklocal`, `uniquelocal`)",
  parse(raw) {
    if (raw === undefined) return undefined;
    const value = /^\d+$/.test(raw) ? Number(raw) : raw;
    try {
      // Express compiles the setting at once: a throwaway app checks it the way the real one will.
      express().set("trust proxy", value);
    } catch (err) {
      throw new ConfigError("TRUST_PROXY", `expected a number of hops or addresses, got ${JSON.stringify(raw)}: ${(err as Error).message}`);
    }
    return value;
  },
});
