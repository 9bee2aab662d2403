import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";

export type { PrismaClient };

export interface PrismaOptions {
  /** Called for every SQL statement sent (metrics, query budgets in tests). */
  onQuery?: () => void;
}

/**
 * The limits of every interactive transaction (`prisma.$transaction(async (tx) => …)`), above
 * Prisma's defaults (2 s to get a connection, 5 s to finish), which a busy CPU or a burst of
 * writes exceeded with nothing wrong. `maxWait` stays under the gateway's default subgraph
 * timeout (5 s): a transaction that cannot get a connection by then is refused as
 * `SERVICE_UNAVAILABLE` (lib/dependencyErrors.ts) while the caller still waits for the answer.
 * `timeout` only ends a transaction that hangs; one that started is let finish.
 */
export const TRANSACTION_OPTIONS = { maxWait: 4_000, timeout: 15_000 } as const;

/**
 * The `pg` pool's options from a database URL, and the URL without them. `connection_limit`
 * is Prisma's parameter for the pool's size, which the driver adapter would ignore (its
 * default: 10 connections); an integer from 1.
 */
export function poolOptions(databaseUrl: string): { connectionString: string; max?: number } {
  const url = new URL(databaseUrl);
  const limit = url.searchParams.get("connection_limit");
  if (limit === null) return { connectionString: databaseUrl };
  url.searchParams.delete("connection_limit");
  const max = Number(limit);
  if (!Number.isInteger(max) || max < 1) throw new Error(`DATABASE_URL: connection_limit must be an integer from 1, got ${JSON.stringify(limit)}`);
  return { connectionString: url.toString(), max };
}

/**
 * The Prisma client used by every service: no Rust query engine, queries go through the
 * `pg` driver adapter (see PRISMA-OFFLINE notes in the README).
 */
export function createPrismaClient(databaseUrl: string, { onQuery }: PrismaOptions = {}): PrismaClient {
  const client = new PrismaClient({
    adapter: new PrismaPg(poolOptions(databaseUrl)),
    transactionOptions: TRANSACTION_OPTIONS,
    log: onQuery ? [{ emit: "event", level: "query" }] : [],
  });
  if (onQuery) client.$on("query" as never, onQuery);
  return client;
}
