import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { processEnv } from "#lib/config.js";
import { ScriptError } from "./script.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MIGRATIONS = fileURLToPath(new URL("../prisma/migrations", import.meta.url));

/** Opens a client on `url`, runs `fn`, always closes it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Name of the database of a PostgreSQL URL. */
export const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

/**
 * Creates the database named in `url` unless it exists, connected to the `postgres` database of
 * the same server. Returns whether it had to be created.
 */
export async function ensureDatabase(url: string): Promise<"created" | "exists"> {
  const server = new URL(url);
  server.pathname = "/postgres";
  const name = databaseName(url);
  return withClient(server.toString(), async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return "exists";
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      return "created";
    } catch (err) {
      // 42P04 duplicate_database: another prepare (a second container, say) won the race.
      if ((err as { code?: string }).code === "42P04") return "exists";
      throw err;
    }
  });
}

/** Folder names of the committed migrations, in the order Prisma applies them. */
export async function migrationFolders(dir = MIGRATIONS): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/**
 * Committed migrations not yet applied to the database of `url`: those without a finished row
 * in Prisma's `public._prisma_migrations` (all of them when the table does not exist yet).
 * A failed migration counts as pending, so `migrate deploy` runs and reports it.
 */
export async function pendingMigrations(url: string, dir = MIGRATIONS): Promise<string[]> {
  const applied = await withClient(url, async (client) => {
    const {
      rows: [table],
    } = await client.query("SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS present");
    if (!table?.present) return new Set<string>();
    const { rows } = await client.query<{ migration_name: string }>("SELECT migration_name FROM public._prisma_migrations WHERE finished_at IS NOT NULL");
    return new Set(rows.map((r) => r.migration_name));
  });
  return (await migrationFolders(dir)).filter((name) => !applied.has(name));
}

/**
 * Applies pending migrations with the Prisma CLI (`npm run db:migrate`). The CLI's output is
 * kept quiet unless it fails, when it becomes the error message.
 */
export async function applyMigrations(url: string): Promise<void> {
  try {
    await promisify(execFile)("npm", ["run", "--silent", "db:migrate"], {
      cwd: ROOT,
      env: { ...processEnv(), DATABASE_URL: url },
    });
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new ScriptError(`migrations failed:\n${`${stdout}\n${stderr}`.trim()}`);
  }
}
