/**
 * `npm run build`: compiles the services to JavaScript in `dist/` (what the Docker image and the
 * benchmarks run, with `NODE_ENV=production`) and copies the files they read next to their
 * modules: each subgraph's `schema.graphql`. `npm start` keeps running the sources with tsx.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runScript } from "./script.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

await runScript(async () => {
  rmSync(`${ROOT}dist`, { recursive: true, force: true });
  execFileSync(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  for (const name of readdirSync(`${ROOT}subgraphs`)) {
    const schema = `subgraphs/${name}/schema.graphql`;
    if (existsSync(`${ROOT}${schema}`)) cpSync(`${ROOT}${schema}`, `${ROOT}dist/${schema}`);
  }
  console.log("build: dist/ ready (node dist/gateway/src/index.js, node dist/subgraphs/<name>/src/index.js)");
});
