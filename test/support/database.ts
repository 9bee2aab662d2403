import { randomBytes } from "node:crypto";
import { applyMigrations, withClient } from "../../scripts/database.js";

/** Replaces the database name of a PostgreSQL URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

const onServer = <T>(serverUrl: string, sql: string) =>
  withClient(withDatabase(serverUrl, "postgres"), (c) => c.query(sql)).then(() => undefined as T);

/**
 * Creates a database of its own for one test run and applies the committed migrations with
 * the Prisma CLI, exactly as `npm run db:migrate` does. Returns its URL and a drop function.
 */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `batch_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  const url = withDatabase(serverUrl, name);
  await applyMigrations(url);
  return { url, drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
