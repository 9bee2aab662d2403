import { resolve } from "node:path";
import { ConfigError, custom, integer, type Variable } from "../variable.js";

/** The supergraph the gateway serves, and how it calls the subgraphs. */

export const SUPERGRAPH_PATH = custom({
  name: "SUPERGRAPH_PATH",
  description: "the composed schema the gateway serves (and watches: a change is loaded without a restart)",
  readers: ["gateway"],
  shownDefault: "`supergraph.graphql`",
  accepts: "a path, relative to the working directory",
  parse: (raw) => resolve(raw ?? "supergraph.graphql"),
});

const TIMEOUT = { min: 100, max: 120_000 };

export const SUBGRAPH_TIMEOUT_MS = integer({
  name: "SUBGRAPH_TIMEOUT_MS",
  description: "longest a gateway call to a subgraph may take, retries included",
  readers: ["gateway"],
  default: 5_000,
  ...TIMEOUT,
});

/** `AUTH_SUBGRAPH_TIMEOUT_MS` and the like: the name a subgraph's own timeout is read from. */
const OWN_TIMEOUT = /^([A-Z0-9_]+)_SUBGRAPH_TIMEOUT_MS$/;

/** `<NAME>_SUBGRAPH_TIMEOUT_MS`: the timeouts set for one subgraph each, by upper-case subgraph name. */
export const OWN_SUBGRAPH_TIMEOUTS: Variable<Readonly<Record<string, number>>> = {
  name: "<NAME>_SUBGRAPH_TIMEOUT_MS",
  description: "`SUBGRAPH_TIMEOUT_MS` for one subgraph (`AUTH_SUBGRAPH_TIMEOUT_MS`, …)",
  readers: ["gateway"],
  shownDefault: "`SUBGRAPH_TIMEOUT_MS`",
  accepts: `${TIMEOUT.min} to ${TIMEOUT.max}`,
  read(env) {
    const timeouts: Record<string, number> = {};
    for (const name of Object.keys(env)) {
      const subgraph = OWN_TIMEOUT.exec(name)?.[1];
      const raw = env[name];
      if (!subgraph || !raw) continue;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < TIMEOUT.min || value > TIMEOUT.max) {
        throw new ConfigError(name, `expected an integer from ${TIMEOUT.min} to ${TIMEOUT.max}, got ${JSON.stringify(raw)}`);
      }
      timeouts[subgraph] = value;
    }
    return timeouts;
  },
};

export const SUBGRAPH_RETRIES = integer({
  name: "SUBGRAPH_RETRIES",
  description: "retries of a query whose connection failed (never of a mutation)",
  readers: ["gateway"],
  default: 2,
  min: 0,
  max: 10,
});

export const SUBGRAPH_BREAKER_FAILURES = integer({
  name: "SUBGRAPH_BREAKER_FAILURES",
  description: "consecutive failed calls that open a subgraph's circuit",
  readers: ["gateway"],
  default: 5,
  min: 1,
  max: 1_000,
});

export const SUBGRAPH_BREAKER_RESET_MS = integer({
  name: "SUBGRAPH_BREAKER_RESET_MS",
  description: "how long an open circuit fails calls at once before one trial call",
  readers: ["gateway"],
  default: 5_000,
  min: 100,
  max: 600_000,
});

export const SUBGRAPH_CONNECTIONS = integer({
  name: "SUBGRAPH_CONNECTIONS",
  description: "kept-alive connections per subgraph",
  readers: ["gateway"],
  default: 64,
  min: 1,
  max: 10_000,
});
