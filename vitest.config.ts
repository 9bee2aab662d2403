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
    projects: [
      {
        // No database, no broker, no Redis: no global set-up, so a run starts at once.
        extends: true,
        test: { name: "unit", include: ["**/*.test.ts"], exclude: [...exclude, "**/*.int.test.ts"] },
      },
      {
        // In this process against real PostgreSQL, Redis and RabbitMQ, on the run's template.
        extends: true,
        test: { name: "integration", include: ["**/*.int.test.ts"], exclude, globalSetup: ["test/globalSetup.ts"] },
      },
      {
        // Real processes: only where a process boundary is what is tested.
        extends: true,
        test: { name: "e2e", include: ["**/*.e2e.ts"], exclude, globalSetup: ["test/globalSetup.ts"] },
      },
    ],
  },
});
