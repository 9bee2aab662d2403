import { randomBytes } from "node:crypto";
import { inject, onTestFinished } from "vitest";
import { applyMigrations, withClient } from "../../scripts/database.js";

/** Replaces the database name of a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const onServer = (serverUrl: string, sql: string) => withClient(withDatabase(serverUrl, "postgres"), (c) => c.query(sql)).then(() => undefined);

/** A database made for tests, and how to remove it. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

const newName = (suffix = "") => `batch_test_${process.pid}_${randomBytes(4).toString("hex")}${suffix}`;

function created(serverUrl: string, name: string): TestDatabase {
  return { url: withDatabase(serverUrl, name), drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * Creates a database and applies the committed migrations with the Prisma CLI, exactly as
 * `npm run db:migrate` does (about 10 s). A test run does this once, for its template; tests
 * clone that template with {@link cloneTestDatabase}.
 */
export async function createTestDatabase(serverUrl: string, suffix = ""): Promise<TestDatabase> {
  const name = newName(suffix);
  await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  const database = created(serverUrl, name);
  try {
    await applyMigrations(database.url);
  } catch (err) {
    await database.drop();
    throw err;
  }
  return database;
}

/**
 * A migrated database of its own, copied by PostgreSQL from the run's template in a fraction of
 * a second (`CREATE DATABASE … TEMPLATE`). For tests whose outbox relay must be the only one of
 * its database, or that restart or cut the database.
 */
export async function cloneTestDatabase(templateUrl: string = inject("templateDatabaseUrl")): Promise<TestDatabase> {
  const template = new URL(templateUrl).pathname.slice(1);
  const name = newName();
  await onServer(templateUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return created(templateUrl, name);
}

/**
 * A database that does not exist yet, on the run's server, for a test of what creates one
 * (`db:prepare`, `ensureDatabase`). Called in a test: dropped when the test ends, whether it was created or not.
 */
export function uncreatedDatabase(): TestDatabase & { name: string } {
  const serverUrl = inject("databaseUrl");
  const name = newName("_fresh");
  const database = created(serverUrl, name);
  onTestFinished(() => database.drop());
  return { ...database, name };
}
