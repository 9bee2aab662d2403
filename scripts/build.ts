/**
 * `npm run build`: compiles the services to JavaScript in `dist/` (what the Docker image and the
 * benchmarks run, with `NODE_ENV=production`) and copies the files they read next to their
 * modules: each subgraph's `schema.graphql`, and a `package.json` that maps `#lib/*` to the build's `lib/`. `npm start` keeps running the sources with tsx.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runScript } from "./script.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Where the build goes: `dist/`, or the folder given as the only argument (tests build into a temporary one). */
const out = resolve(ROOT, process.argv[2] ?? "dist");

await runScript(async () => {
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json", "--outDir", out], { cwd: ROOT, stdio: "inherit" });
  for (const name of readdirSync(`${ROOT}subgraphs`)) {
    const schema = `subgraphs/${name}/schema.graphql`;
    if (existsSync(`${ROOT}${schema}`)) cpSync(`${ROOT}${schema}`, join(out, schema));
  }
  // The compiled modules import `#lib/*` as the sources do: the build's own package.json maps it to its `lib/`.
  const { type, imports } = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { type: string; imports: Record<string, string> };
  writeFileSync(join(out, "package.json"), `${JSON.stringify({ private: true, type, imports }, null, 2)}\n`);
  console.log(`build: ${out} ready (node <it>/gateway/src/index.js, node <it>/subgraphs/<name>/src/index.js)`);
});
