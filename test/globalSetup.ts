import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";
import { readBackingServices } from "#lib/config.js";
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

interface RunResources {
  databaseUrl: string;
  templateDatabaseUrl: string;
  redisPrefix: string;
  /** Projects of this run still using them. */
  users: number;
  remove(): Promise<void>;
}

/** Shared by the projects of one run (integration and e2e): the template is migrated once. */
const run = globalThis as { batchTestRun?: Promise<RunResources> };

async function createResources(): Promise<RunResources> {
  const { databaseUrl, redisUrl } = readBackingServices();
  const template = await createTestDatabase(databaseUrl, "_template");
  const shared = await cloneTestDatabase(template.url);
  const redisPrefix = `batch-test-${process.pid}-${randomBytes(4).toString("hex")}:`;
  return {
    databaseUrl: shared.url,
    templateDatabaseUrl: template.url,
    redisPrefix,
    users: 0,
    async remove() {
      await shared.drop();
      await template.drop();
      await removeKeys(redisUrl, redisPrefix);
    },
  };
}

/**
 * One template database (migrated once), one shared database copied from it and one Redis key
 * prefix per test run, for every project that uses services, removed when the last of them ends:
 * runs side by side never meet. Unit tests have no global set-up at all.
 */
export default async function setup(project: TestProject) {
  const resources = await (run.batchTestRun ??= createResources());
  resources.users += 1;
  project.provide("databaseUrl", resources.databaseUrl);
  project.provide("templateDatabaseUrl", resources.templateDatabaseUrl);
  project.provide("redisPrefix", resources.redisPrefix);
  return async () => {
    resources.users -= 1;
    if (resources.users > 0) return;
    run.batchTestRun = undefined;
    await resources.remove();
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
