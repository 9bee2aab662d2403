import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readServiceConfig } from "../config.js";
import { readPrepareConfig } from "./prepare.js";
import { VARIABLES } from "./registry.js";
import { SERVICES } from "./variables/readers.js";
import { configurationTable, withTable } from "./table.js";
import type { Env, Reader } from "./variable.js";
import * as backing from "./variables/backing.js";
import * as events from "./variables/events.js";
import * as limits from "./variables/limits.js";
import * as rateLimits from "./variables/rateLimits.js";
import * as seed from "./variables/seed.js";
import * as serviceTokens from "./variables/serviceTokens.js";
import * as services from "./variables/services.js";
import * as signIn from "./variables/signIn.js";
import * as subgraphCalls from "./variables/subgraphCalls.js";
import * as telemetry from "./variables/telemetry.js";
import * as tokens from "./variables/tokens.js";
import * as websockets from "./variables/websockets.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const readerOf = (reader: Reader): ((env: Env) => unknown) => (reader === "prepare" ? readPrepareConfig : (env) => readServiceConfig(reader, env));

/** The names a reader looks up in an (empty) environment; enumerating it counts as reading the `<NAME>_…` patterns. */
function namesRead(read: (env: Env) => unknown): Set<string> {
  const names = new Set<string>();
  const env = new Proxy({} as Env, {
    get(target, name) {
      if (typeof name === "string") names.add(name);
      return Reflect.get(target, name);
    },
    ownKeys(target) {
      for (const variable of VARIABLES) if (variable.name.startsWith("<")) names.add(variable.name);
      return Reflect.ownKeys(target);
    },
  });
  read(env);
  return names;
}

describe("the registry of variables", () => {
  it("lists every variable a configuration reader reads, with exactly the readers that read it", () => {
    const registered = new Map(VARIABLES.map((variable) => [variable.name, variable]));
    const readBy = new Map<string, Reader[]>();
    for (const reader of [...SERVICES, "prepare"] as const) {
      for (const name of namesRead(readerOf(reader))) readBy.set(name, [...(readBy.get(name) ?? []), reader]);
    }
    expect([...readBy.keys()].filter((name) => !registered.has(name))).toEqual([]);
    for (const variable of VARIABLES)
      expect({ [variable.name]: [...variable.readers].sort() }).toEqual({ [variable.name]: (readBy.get(variable.name) ?? []).sort() });
  });

  it("holds every variable defined in variables/, once", () => {
    const defined = [backing, events, limits, rateLimits, seed, serviceTokens, services, signIn, subgraphCalls, telemetry, tokens, websockets]
      .flatMap((group) => Object.values(group))
      .filter((value) => typeof value === "object" && value !== null && "read" in value && "readers" in value);
    expect(new Set(VARIABLES)).toEqual(new Set(defined));
    expect(new Set(VARIABLES.map((v) => v.name)).size).toBe(VARIABLES.length);
  });

  it("is what the README's Configuration table shows (run `npm run docs:config`)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(withTable(readme, configurationTable(VARIABLES))).toBe(readme);
  });
});

/** Source files of the services and scripts: not tests, benches, generated code or the config module (`lib/config.ts`, `lib/config/`). */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ["node_modules", "test", "__generated__", "config"].includes(entry.name) ? [] : sources(path);
    return entry.name.endsWith(".ts") && !/\.(test|e2e)\.ts$/.test(entry.name) && path !== join("lib", "config.ts") ? [path] : [];
  });
}

describe("reading the environment", () => {
  it("happens only in lib/config: no other source reads process.env or a variable by name", () => {
    const offenders = ["lib", "gateway", "subgraphs", "scripts"].flatMap(sources).flatMap((path) => {
      const text = readFileSync(join(ROOT, path), "utf8");
      const reads = [...text.matchAll(/process\.env|\benv(?:\.|\[["'`])[A-Z][A-Z0-9_]*/g)].map((m) => m[0]);
      return reads.map((read) => `${relative(ROOT, join(ROOT, path))}: ${read}`);
    });
    expect(offenders).toEqual([]);
  });
});
