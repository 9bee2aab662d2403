import { readPrepare } from "#lib/config.js";
import { prepareDatabase } from "../../scripts/preparation.js";
import { CHEAP_SCRYPT } from "./accounts.js";
import type { Stack } from "./stack.js";

/**
 * Prepares a stack's database as `npm start` does (created, migrated, the admin, the demo users
 * and the demo specifications; also for services that run in production mode, where the seed
 * would make only the admin), with the test's cheap password hashes: the demo users sign in
 * and sign in a millisecond, not in OWASP's 128 MiB scrypt, so a busy machine does not time out.
 */
export async function seedStack(stack: Stack): Promise<void> {
  await prepareDatabase(readPrepare({ ...process.env, ...stack.env, NODE_ENV: "development" }), { log: () => undefined, cost: CHEAP_SCRYPT });
}
