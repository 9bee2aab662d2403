import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";
import { readBackingServices } from "../lib/config.js";
import { cloneTestDatabase, createTestDatabase } from "./support/database.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** This run's own database, migrated, shared by the tests that need no database of their own. */
    databaseUrl: string;
    /** A migrated database nobody connects to, that tests copy for a database of their own. */
    templateDatabaseUrl: string;
    /** This run's own Redis key prefix. */
    redisPrefix: string;
  }
}

/**
 * One template database (migrated once), one shared database copied from it and one Redis key
 * prefix per test run, removed at the end: runs side by side never meet.
 */
export default async function setup(project: TestProject) {
  const { databaseUrl, redisUrl } = readBackingServices();
  const template = await createTestDatabase(databaseUrl, "_template");
  const shared = await cloneTestDatabase(template.url);
  const redisPrefix = `batch-test-${process.pid}-${randomBytes(4).toString("hex")}:`;
  project.provide("databaseUrl", shared.url);
  project.provide("templateDatabaseUrl", template.url);
  project.provide("redisPrefix", redisPrefix);
  return async () => {
    await shared.drop();
    await template.drop();
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
