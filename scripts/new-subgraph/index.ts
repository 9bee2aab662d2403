/**
 * `npm run new:subgraph -- <name> <port>`: a new subgraph with the shape every subgraph shares
 * (its SDL, `src/{index,server,context}.ts`, resolvers, a first test), its own PostgreSQL schema
 * and first migration, and its place in every list of subgraphs: the configuration
 * (`<NAME>_PORT`, `<NAME>_URL`), codegen, `supergraph.yaml`, docker-compose, the README. Then it
 * composes the supergraph and generates the types, so that `npm start` runs it with the others.
 * Nothing is written unless every change could be prepared.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runScript, ScriptError } from "../script.js";
import { schemaMigration, subgraphEdits } from "./edits.js";
import { subgraphNames } from "./names.js";
import { subgraphFiles } from "./templates.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Runs an npm script of the project, its output shown. */
const npmRun = (...args: string[]) => execFileSync("npm", ["run", "--silent", ...args], { cwd: ROOT, stdio: "inherit" });

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

  npmRun("compose");
  npmRun("codegen");
  npmRun("docs:config");
  npmRun("prisma", "--", "generate");
  const formatted = [...Object.keys(created), ...edited.map((e) => e.path)].filter((path) => /\.(ts|graphql|ya?ml|md)$/.test(path));
  execFileSync(process.execPath, [join(ROOT, "node_modules/prettier/bin/prettier.cjs"), "--log-level", "warn", "--write", ...formatted], {
    cwd: ROOT,
    stdio: "inherit",
  });

  const { name, upper, port } = names;
  console.log(`
new:subgraph: ${name} on port ${port}, PostgreSQL schema "${name}"
  created: ${Object.keys(created).join("\n           ")}
  edited:  ${edited.map(({ path, what }) => `${path} (${what})`).join("\n           ")}

Next:
  npm start                         applies the migration and runs ${name} with the others (${upper}_PORT, ${upper}_URL)
  npx vitest run subgraphs/${name}   its first test
  then: its types in subgraphs/${name}/schema.graphql, its models in prisma/schema.prisma with @@schema("${name}"),
        npm run compose && npm run codegen, and a migration (README, "Database").`);
});
