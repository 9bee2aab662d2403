import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";

export type { PrismaClient };

export interface PrismaOptions {
  /** Called for every SQL statement sent (metrics, query budgets in tests). */
  onQuery?: () => void;
}

/**
 * The Prisma client used by every service: no Rust query engine, queries go through the
 * `pg` driver adapter (see PRISMA-OFFLINE notes in the README).
 */
export function createPrismaClient(databaseUrl: string, { onQuery }: PrismaOptions = {}): PrismaClient {
  const client = new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl }),
    log: onQuery ? [{ emit: "event", level: "query" }] : [],
  });
  if (onQuery) client.$on("query" as never, onQuery);
  return client;
}
