import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { composeServices } from "@apollo/composition";
import { getLocation, parse, Source, type ASTNode } from "graphql";
import YAML from "yaml";
import { ScriptError } from "./script.js";

/** One subgraph of `supergraph.yaml` (Rover's format, `schema.file` only). */
export interface SubgraphEntry {
  name: string;
  routingUrl: string;
  /** Absolute path of the SDL file, resolved against the YAML file's folder as Rover does. */
  schemaFile: string;
}

/** Outcome of a composition: the supergraph SDL and hints, or the errors. */
export type Composition = { ok: true; supergraphSdl: string; hints: string[] } | { ok: false; errors: string[] };

// Rover's `federation_version` picks the composition library; npm run compose uses the
// installed one, so the two must agree or the checked-in supergraph depends on the tool used.
const COMPOSITION_VERSION: string = createRequire(import.meta.url)("@apollo/composition/package.json").version;

/** Reads and checks the contents of a `supergraph.yaml` whose folder is `baseDir`. */
export function parseSupergraphConfig(text: string, baseDir: string): SubgraphEntry[] {
  const doc = YAML.parse(text) as { federation_version?: unknown; subgraphs?: Record<string, unknown> } | null;
  const version = String(doc?.federation_version ?? "");
  if (version !== `=${COMPOSITION_VERSION}`) {
    throw new ScriptError(
      `supergraph.yaml: federation_version is ${JSON.stringify(version)} but @apollo/composition ${COMPOSITION_VERSION} is installed: set it to =${COMPOSITION_VERSION}`,
    );
  }
  const subgraphs = Object.entries(doc?.subgraphs ?? {});
  if (subgraphs.length === 0) throw new ScriptError("supergraph.yaml: no subgraphs");
  return subgraphs.map(([name, entry]) => {
    const { routing_url: routingUrl, schema } = (entry ?? {}) as { routing_url?: unknown; schema?: { file?: unknown } };
    if (typeof routingUrl !== "string" || typeof schema?.file !== "string") {
      throw new ScriptError(`supergraph.yaml: subgraph ${name} needs routing_url and schema.file`);
    }
    return { name, routingUrl, schemaFile: path.resolve(baseDir, schema.file) };
  });
}

/**
 * Where a composition error or hint points: `subgraph file:line:column` of each node. The SDL
 * sources are named after their files, and `owners` maps each file back to its subgraph.
 */
function placesOf(nodes: readonly ASTNode[] | undefined, owners: Map<string, string>): string {
  const places = new Set(
    (nodes ?? []).flatMap((n) => {
      const tagged = (n as { subgraph?: string }).subgraph;
      if (!n.loc) return tagged ? [tagged] : [];
      const { line, column } = getLocation(n.loc.source, n.loc.start);
      const file = n.loc.source.name;
      return [`${tagged ?? owners.get(file) ?? "?"} ${file}:${line}:${column}`];
    }),
  );
  return places.size > 0 ? ` (${[...places].join("; ")})` : "";
}

/** Composes the subgraphs listed in a `supergraph.yaml` file, as `rover supergraph compose` would. */
export async function composeSupergraph(configPath: string): Promise<Composition> {
  const entries = parseSupergraphConfig(await readFile(configPath, "utf8"), path.dirname(configPath));
  const owners = new Map<string, string>();
  const services = await Promise.all(
    entries.map(async ({ name, routingUrl, schemaFile }) => {
      const file = path.relative(process.cwd(), schemaFile);
      owners.set(file, name);
      const sdl = await readFile(schemaFile, "utf8").catch((err: Error) => {
        throw new ScriptError(`subgraph ${name}: cannot read ${file} (${err.message})`);
      });
      try {
        return { name, url: routingUrl, typeDefs: parse(new Source(sdl, file)) };
      } catch (err) {
        // A GraphQLError prints the file, line and column with the offending line.
        throw new ScriptError(`subgraph ${name}: ${String(err)}`);
      }
    }),
  );
  const result = composeServices(services);
  if (result.errors) {
    return {
      ok: false,
      errors: result.errors.map((e) => `${String(e.extensions.code ?? "ERROR")}${placesOf(e.nodes, owners)}: ${e.message}`),
    };
  }
  const hints = result.hints.map((h) => `${h.definition.code}${placesOf(h.nodes, owners)}: ${h.message}`);
  const sdl = result.supergraphSdl.endsWith("\n") ? result.supergraphSdl : `${result.supergraphSdl}\n`;
  return { ok: true, supergraphSdl: sdl, hints };
}

/**
 * Composes `configPath`; writes `supergraphPath`, or with `check` compares it and throws when
 * it is stale. Hints (only counted with `check`) go to `log`; composition errors throw, listed
 * with their codes and places.
 */
export async function writeOrCheckSupergraph(configPath: string, supergraphPath: string, check: boolean, log = console.log): Promise<void> {
  const result = await composeSupergraph(configPath);
  if (!result.ok) {
    throw new ScriptError(`composition failed with ${result.errors.length} error(s):\n${result.errors.map((e) => `  ${e}`).join("\n")}`);
  }
  const name = path.basename(supergraphPath);
  if (check) {
    // Keep `npm test` short: the hints themselves are for whoever runs `npm run compose`.
    if (result.hints.length > 0) log(`${result.hints.length} composition hint(s): npm run compose shows them`);
    const current = await readFile(supergraphPath, "utf8").catch(() => null);
    if (current !== result.supergraphSdl) throw new ScriptError(`${name} is stale: run npm run compose`);
    log(`${name} is up to date`);
  } else {
    for (const hint of result.hints) log(`hint ${hint}`);
    await writeFile(supergraphPath, result.supergraphSdl);
    log(`${name} written`);
  }
}
