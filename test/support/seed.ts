import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Stack } from "./stack.js";

const run = promisify(execFile);

/**
 * Seeds a stack's database exactly as `npm start` does: the admin and the demo users, also for
 * services that run in production mode (where the seed would make only the admin).
 */
export async function seedStack(stack: Stack): Promise<void> {
  await run(process.execPath, ["--import", "tsx", "scripts/prepare.ts"], { env: { ...process.env, ...stack.env, NODE_ENV: "development" } });
}
