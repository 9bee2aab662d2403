/**
 * Prisma CLI configuration (the CLI loads this file; the services never do).
 *
 * These machines cannot download Prisma's Rust engines, so migrations run on the WASM schema
 * engine through the `pg` driver adapter. See the README, "Prisma without engine downloads".
 */
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { defineConfig } from "prisma/config";

// prisma/prisma#27403: the WASM schema engine cannot deserialize PostgreSQL's `name` (19) and
// `char` (18) column types. Report them as `text` (25) before the driver builds its parsers.
// `addFields` is internal to pg, hence untyped.
type FieldDescription = { dataTypeID: number };
const resultPrototype = pg.Result.prototype as unknown as {
  addFields(this: unknown, fields: FieldDescription[]): void;
};
const addFields = resultPrototype.addFields;
resultPrototype.addFields = function (fieldDescriptions) {
  for (const field of fieldDescriptions) {
    if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
  }
  return addFields.call(this, fieldDescriptions);
};

/** Discrete connection fields: built from a URL string, the adapter's shadow pool would reach the main database. */
function connectionFields(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || "postgres"),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    // The CLI exits only once its pool is empty: close idle connections at once, not after 10 s.
    idleTimeoutMillis: 250,
  };
}

// Read here rather than through `lib/config.ts`: the Docker image generates the client from this
// file alone, before the sources are copied. Same variable and default as `DATABASE_URL` there.
const databaseUrl = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/batch_supergraph";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => new PrismaPg(connectionFields(databaseUrl)),
});
