/**
 * `npm run codegen:check` (part of `npm test`): generates the resolver and REST operation types
 * in memory with the configuration of `codegen.ts` and fails, naming them, when files on disk differ.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "@graphql-codegen/cli";
import config from "../codegen.js";
import { runScript, ScriptError } from "./script.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Files whose content on disk differs from a fresh generation (or that are missing), relative to the root. */
export async function staleGeneratedFiles(root = ROOT): Promise<string[]> {
  // saveToFile = false: the outputs come back instead of being written.
  const outputs: Array<{ filename: string; content: string }> = await generate({ ...config, cwd: root, silent: true }, false);
  const stale = await Promise.all(
    outputs.map(async ({ filename, content }) => {
      const onDisk = await readFile(path.resolve(root, filename), "utf8").catch(() => null);
      return onDisk === content ? [] : [path.relative(root, path.resolve(root, filename))];
    }),
  );
  return stale.flat();
}

await runScript(async () => {
  const stale = await staleGeneratedFiles();
  if (stale.length > 0) {
    throw new ScriptError(`generated code is stale, run npm run codegen:\n${stale.map((f) => `  ${f}`).join("\n")}`);
  }
  console.log("generated code is up to date");
});
