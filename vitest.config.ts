import { defineConfig } from "vitest/config";

const exclude = ["**/node_modules/**", "generated/**", "dist/**"];

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for the Apollo packages; the tests must load the same
    // copy, not the ESM one Vite would prefer, or graphql refuses "another module or realm".
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Vitest's default is one worker per core but one, so a single worker here. Most test time
    // waits on PostgreSQL, Redis, RabbitMQ and services, so three files at a time use two cores.
    maxWorkers: 3,
    projects: [
      {
        // No database, no broker, no Redis: no global set-up, so a run starts at once.
        extends: true,
        // Files share a worker's modules (no state of their own at module level), which saves each
        // file importing Apollo and Prisma again.
        test: { name: "unit", include: ["**/*.test.ts"], exclude: [...exclude, "**/*.int.test.ts"], isolate: false },
      },
      {
        // In this process against real PostgreSQL, Redis and RabbitMQ, on the run's template.
        extends: true,
        test: { name: "integration", include: ["**/*.int.test.ts"], exclude, globalSetup: ["test/globalSetup.ts"], isolate: false },
      },
      {
        // Real processes: only where a process boundary is what is tested.
        extends: true,
        test: { name: "e2e", include: ["**/*.e2e.ts"], exclude, globalSetup: ["test/globalSetup.ts"] },
      },
    ],
  },
});
