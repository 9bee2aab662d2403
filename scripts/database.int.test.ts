import { describe, expect, inject, it } from "vitest";
import { uncreatedDatabase } from "../test/support/database.js";
import { ensureDatabase, migrationFolders, pendingMigrations, withClient } from "./database.js";

const runUrl = inject("databaseUrl");

const sql = (url: string, text: string) => withClient(url, (client) => client.query(text));

describe("pending migrations", () => {
  it("are none on this run's database, which the CLI migrated", async () => {
    expect(await migrationFolders()).toContain("20261125100000_production_schema");
    expect(await pendingMigrations(runUrl)).toEqual([]);
  });

  it("are all of them on a database just created, and the database is created only once", async () => {
    const { url } = uncreatedDatabase();
    expect(await ensureDatabase(url)).toBe("created");
    expect(await ensureDatabase(url)).toBe("exists");
    expect(await pendingMigrations(url)).toEqual(await migrationFolders());
  });

  it("include a migration that started but never finished", async () => {
    const { url } = uncreatedDatabase();
    await ensureDatabase(url);
    const [first, ...rest] = await migrationFolders();
    // The columns Prisma's own table has that the detection reads.
    await sql(url, `CREATE TABLE public._prisma_migrations (migration_name varchar(255) NOT NULL, finished_at timestamptz)`);
    await sql(url, `INSERT INTO public._prisma_migrations VALUES ('${first}', now()), ('${rest[0]}', NULL)`);
    expect(await pendingMigrations(url)).toEqual(rest);
  });
});
