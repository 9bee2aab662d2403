import { SERVICES, SUBGRAPH_NAMES } from "#lib/config.js";
import { ScriptError } from "../script.js";

/** The spellings of a new subgraph's name that its files need. */
export interface SubgraphNames {
  /** `qa`: folder, PostgreSQL schema, compose service, supergraph entry. */
  name: string;
  /** `Qa`: type names (`QaContext`, `createQaServer`). */
  pascal: string;
  /** `QA`: variables (`QA_PORT`, `QA_URL`). */
  upper: string;
  port: number;
}

/** Names a subgraph cannot take: the gateway's, PostgreSQL's own schemas and reserved words a schema cannot be named. */
const RESERVED = new Set([
  "gateway",
  "public",
  "user",
  "users",
  "order",
  "group",
  "table",
  "select",
  "information_schema",
  "pg_catalog",
  "prisma",
  "lib",
  "test",
]);

/** Default ports of the services, which a new one must not take. */
const TAKEN_PORTS = new Map(Object.entries(SERVICES).map(([service, { port }]) => [port, service]));

/**
 * Checks `npm run new:subgraph -- <name> <port>`'s arguments: a lower-case word (letters and
 * digits, it names a folder, a PostgreSQL schema, a compose service and `<NAME>_*` variables)
 * not taken by a subgraph of `taken`, and a free port from 1024.
 */
export function subgraphNames(
  args: readonly string[],
  taken: readonly string[] = SUBGRAPH_NAMES,
  takenPorts: ReadonlyMap<number, string> = TAKEN_PORTS,
): SubgraphNames {
  const [name, portText, ...rest] = args;
  if (!name || !portText || rest.length > 0)
    throw new ScriptError("usage: npm run new:subgraph -- <name> <port>   (for example: npm run new:subgraph -- qa 8004)");
  if (!/^[a-z][a-z0-9]{1,19}$/.test(name)) {
    throw new ScriptError(
      `name: expected 2 to 20 lower-case letters and digits starting with a letter (it names a folder, a PostgreSQL schema and <NAME>_* variables), got ${JSON.stringify(name)}`,
    );
  }
  if (RESERVED.has(name)) throw new ScriptError(`name: ${JSON.stringify(name)} is reserved (${[...RESERVED].join(", ")}); choose another`);
  if (taken.includes(name)) throw new ScriptError(`name: subgraph ${JSON.stringify(name)} exists already (subgraphs/${name})`);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1024 || port > 65_535)
    throw new ScriptError(`port: expected an integer from 1024 to 65535, got ${JSON.stringify(portText)}`);
  const owner = takenPorts.get(port);
  if (owner) throw new ScriptError(`port: ${port} is the default port of ${owner}; choose another`);
  return { name, pascal: name[0]!.toUpperCase() + name.slice(1), upper: name.toUpperCase(), port };
}
