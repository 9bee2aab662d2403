import type { PrepareConfig } from "#lib/config.js";
import type { ScryptParams } from "#lib/auth/passwords.js";
import { createPrismaClient } from "#lib/prisma.js";
import { applyMigrations, databaseName, ensureDatabase, pendingMigrations } from "./database.js";
import { demoSpecifications, seedSpecifications } from "./demoSpecifications.js";
import { DEMO_QA_EMAIL, seed, seedAccounts } from "./seed.js";

/**
 * What `npm run db:prepare` does once the backing services answer: creates the database,
 * applies pending migrations (the Prisma CLI runs only when one is), seeds the first accounts
 * (their passwords hashed at `cost`, OWASP's by default) and, outside production, the demo
 * specifications; each step says what it did through `log`.
 */
export async function prepareDatabase(
  config: PrepareConfig,
  { log = console.log, cost }: { log?: (line: string) => void; cost?: ScryptParams } = {},
): Promise<void> {
  const { databaseUrl } = config;
  log(`database ${databaseName(databaseUrl)}: ${await ensureDatabase(databaseUrl)}`);

  const pending = await pendingMigrations(databaseUrl);
  if (pending.length > 0) await applyMigrations(databaseUrl);
  log(`migrations: ${pending.length > 0 ? `${pending.length} applied` : "up to date"}`);

  const prisma = createPrismaClient(databaseUrl);
  try {
    for (const { role, email, status } of await seed(prisma, seedAccounts(config), cost)) {
      log(`seed: ${role.toLowerCase()} ${email} ${status}`);
    }
    const specifications = demoSpecifications(config);
    const publisher = specifications.length > 0 ? await prisma.user.findUnique({ where: { email: DEMO_QA_EMAIL }, select: { id: true } }) : null;
    if (publisher) {
      for (const { productCode, version, status } of await seedSpecifications(prisma, specifications, publisher.id)) {
        log(`seed: specification ${productCode} v${version} ${status}`);
      }
    }
  } finally {
    await prisma.$disconnect();
  }
}
