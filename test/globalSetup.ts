import type { TestProject } from "vitest/node";
import { readBackingServices } from "../lib/config.js";
import { createTestDatabase } from "./support/database.js";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/** One database per test run, migrated, removed at the end: runs side by side never meet. */
export default async function setup(project: TestProject) {
  const { databaseUrl } = readBackingServices();
  const db = await createTestDatabase(databaseUrl);
  project.provide("databaseUrl", db.url);
  return db.drop;
}
