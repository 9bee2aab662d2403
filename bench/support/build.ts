import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Builds the product (`npm run build`) for a bench, which runs the compiled services in
 * production mode; `BENCH_SKIP_BUILD=1` reuses the last build. Returns the build's folder.
 */
export function buildProduct(): string {
  if (process.env.BENCH_SKIP_BUILD !== "1") execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
  return join(ROOT, "dist");
}
