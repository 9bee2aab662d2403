/**
 * `npm run db:prepare`, the first step of `npm start`: checks that PostgreSQL, Redis and
 * RabbitMQ answer, creates the database, applies pending migrations and seeds the first
 * accounts (see `seed.ts`) and, outside production, the demo specifications (see
 * `demoSpecifications.ts`). Each step is skipped when there is nothing to do, so a prepared
 * database costs well under a second; the Prisma CLI only runs when a migration is pending.
 */
import { readPrepare } from "#lib/config.js";
import { checkBackingServices } from "#lib/preflight.js";
import { prepareDatabase } from "./preparation.js";
import { runScript, ScriptError } from "./script.js";

await runScript(async () => {
  const config = readPrepare();
  // The message already names each unreachable service, where, and how to start it.
  await checkBackingServices(config).catch((err: Error) => {
    throw new ScriptError(err.message);
  });
  await prepareDatabase(config);
});
