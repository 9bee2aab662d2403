/**
 * `npm run new:subgraph -- <name> <port>`: a new subgraph with the shape every subgraph shares
 * (its SDL, `src/{index,server,context}.ts`, resolvers, a first test), its own PostgreSQL schema
 * and first migration, and its place in every list of subgraphs: the configuration
 * (`<NAME>_PORT`, `<NAME>_URL`), codegen, `supergraph.yaml`, docker-compose, the README. Then it
 * composes the supergraph, generates the types and the README's configuration table, and
 * formats what it wrote, so that `npm start` runs it with the others. Nothing is written
 * unless every change could be prepared.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CodegenConfig } from "@graphql-codegen/cli";
import { runScript, ScriptError } from "../script.js";
import { schemaMigration, subgraphEdits } from "./edits.js";
import { subgraphNames } from "./names.js";
import { subgraphFiles } from "./templates.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Formats `paths` (from the root) with the project's Prettier configuration, but those `.prettierignore` keeps as written. */
async function format(paths: string[]): Promise<void> {
  const prettier = await import("prettier");
  for (const path of paths.map((p) => join(ROOT, p))) {
    if ((await prettier.getFileInfo(path, { ignorePath: join(ROOT, ".prettierignore") })).ignored) continue;
    const options = await prettier.resolveConfig(path);
    writeFileSync(path, await prettier.format(readFileSync(path, "utf8"), { ...options, filepath: path }));
  }
}

await runScript(async () => {
  const names = subgraphNames(process.argv.slice(2));
  if (existsSync(join(ROOT, "subgraphs", names.name))) throw new ScriptError(`subgraphs/${names.name} exists already`);

  // Everything is prepared in memory first: a file whose shape changed stops the script before any write.
  const created = { ...subgraphFiles(names) };
  const migration = schemaMigration(names);
  created[migration.path] = migration.text;
  const edited = subgraphEdits(names).map(({ path, what, apply }) => ({ path, what, text: apply(readFileSync(join(ROOT, path), "utf8")) }));

  for (const [path, text] of Object.entries(created)) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), text);
  }
  for (const { path, text } of edited) writeFileSync(join(ROOT, path), text);

  // Composition, codegen and Prettier are loaded once there is something to do: a refusal is immediate.
  const { writeOrCheckSupergraph } = await import("../composition.js");
  await writeOrCheckSupergraph(join(ROOT, "supergraph.yaml"), join(ROOT, "supergraph.graphql"), false, () => undefined);
  // Imported only now: codegen.ts reads the supergraph just composed.
  const { default: codegen } = (await import(pathToFileURL(join(ROOT, "codegen.ts")).href)) as { default: CodegenConfig };
  const { generate } = await import("@graphql-codegen/cli");
  await generate({ ...codegen, cwd: ROOT, silent: true }, true);
  // A process of its own: this one loaded the configuration registry before it was edited.
  execFileSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts/docs-config.ts")], { cwd: ROOT, stdio: "ignore" });
  await format([...Object.keys(created), ...edited.map((e) => e.path)].filter((path) => /\.(ts|graphql|ya?ml|md|json)$/.test(path)));

  const { name, upper, port } = names;
  console.log(`
new:subgraph: ${name} on port ${port}, PostgreSQL schema "${name}"
  created: ${Object.keys(created).join("\n           ")}
  edited:  ${edited.map(({ path, what }) => `${path} (${what})`).join("\n           ")}

Next:
  npm start                         applies the migration and runs ${name} with the others (${upper}_PORT, ${upper}_URL)
  npx vitest run subgraphs/${name}   its first test
  then: its types in subgraphs/${name}/schema.graphql, its models in prisma/schema.prisma with @@schema("${name}"),
        npm run compose && npm run codegen && npm run prisma -- generate, and a migration (README, "Database").`);
});
