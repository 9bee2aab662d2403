import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { withDatabase } from "../test/support/database.js";
import { databaseName, ensureDatabase, migrationFolders, pendingMigrations, withClient } from "./database.js";

const runUrl = inject("databaseUrl");
const freshUrl = withDatabase(runUrl, `batch_fresh_${randomBytes(4).toString("hex")}`);

const sql = (url: string, text: string) => withClient(url, (client) => client.query(text));

afterAll(() => sql(withDatabase(runUrl, "postgres"), `DROP DATABASE IF EXISTS "${databaseName(freshUrl)}" WITH (FORCE)`));

describe("pending migrations", () => {
  it("are none on this run's database, which the CLI migrated", async () => {
    expect(await migrationFolders()).toContain("20261125100000_production_schema");
    expect(await pendingMigrations(runUrl)).toEqual([]);
  });

  it("are all of them on a database just created, and the database is created only once", async () => {
    expect(await ensureDatabase(freshUrl)).toBe("created");
    expect(await ensureDatabase(freshUrl)).toBe("exists");
    expect(await pendingMigrations(freshUrl)).toEqual(await migrationFolders());
  });

  it("include a migration that started but never finished", async () => {
    const [first, ...rest] = await migrationFolders();
    // The columns Prisma's own table has that the detection reads.
    await sql(freshUrl, `CREATE TABLE public._prisma_migrations (migration_name varchar(255) NOT NULL, finished_at timestamptz)`);
    await sql(freshUrl, `INSERT INTO public._prisma_migrations VALUES ('${first}', now()), ('${rest[0]}', NULL)`);
    expect(await pendingMigrations(freshUrl)).toEqual(rest);
  });
});
