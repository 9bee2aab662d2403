import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";
import { readBackingServices } from "../lib/config.js";
import { createTestDatabase } from "./support/database.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** This run's own database, migrated. */
    databaseUrl: string;
    /** This run's own Redis key prefix. */
    redisPrefix: string;
  }
}

/**
 * One database and one Redis key prefix per test run, removed at the end: runs side by side
 * never meet.
 */
export default async function setup(project: TestProject) {
  const { databaseUrl, redisUrl } = readBackingServices();
  const db = await createTestDatabase(databaseUrl);
  const redisPrefix = `batch-test-${process.pid}-${randomBytes(4).toString("hex")}:`;
  project.provide("databaseUrl", db.url);
  project.provide("redisPrefix", redisPrefix);
  return async () => {
    await db.drop();
    await removeKeys(redisUrl, redisPrefix);
  };
}

async function removeKeys(redisUrl: string, prefix: string) {
  const redis = new Redis(redisUrl);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}
