/**
 * `npm run db:prepare`, the first step of `npm start`: checks that PostgreSQL, Redis and
 * RabbitMQ answer, creates the database, applies pending migrations and seeds the first
 * accounts (see `seed.ts`) and, outside production, the demo specifications (see
 * `demoSpecifications.ts`). Each step is skipped when there is nothing to do, so a prepared
 * database costs well under a second; the Prisma CLI only runs when a migration is pending.
 */
import { readPrepare } from "#lib/config.js";
import { checkBackingServices } from "#lib/preflight.js";
import { createPrismaClient } from "#lib/prisma.js";
import { applyMigrations, databaseName, ensureDatabase, pendingMigrations } from "./database.js";
import { runScript, ScriptError } from "./script.js";
import { demoSpecifications, seedSpecifications } from "./demoSpecifications.js";
import { DEMO_QA_EMAIL, seed, seedAccounts } from "./seed.js";

await runScript(async () => {
  const config = readPrepare();
  const { databaseUrl } = config;
  // The message already names each unreachable service, where, and how to start it.
  await checkBackingServices(config).catch((err: Error) => {
    throw new ScriptError(err.message);
  });
  console.log(`database ${databaseName(databaseUrl)}: ${await ensureDatabase(databaseUrl)}`);

  const pending = await pendingMigrations(databaseUrl);
  if (pending.length > 0) await applyMigrations(databaseUrl);
  console.log(`migrations: ${pending.length > 0 ? `${pending.length} applied` : "up to date"}`);

  const prisma = createPrismaClient(databaseUrl);
  try {
    for (const { role, email, status } of await seed(prisma, seedAccounts(config))) {
      console.log(`seed: ${role.toLowerCase()} ${email} ${status}`);
    }
    const specifications = demoSpecifications(config);
    const publisher = specifications.length > 0 ? await prisma.user.findUnique({ where: { email: DEMO_QA_EMAIL }, select: { id: true } }) : null;
    if (publisher) {
      for (const { productCode, version, status } of await seedSpecifications(prisma, specifications, publisher.id)) {
        console.log(`seed: specification ${productCode} v${version} ${status}`);
      }
    }
  } finally {
    await prisma.$disconnect();
  }
});
