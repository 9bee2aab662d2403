import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Node loads graphql's CommonJS build for the Apollo packages; the tests must load the same
    // copy, not the ESM one Vite would prefer, or graphql refuses "another module or realm".
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["**/*.test.ts", "**/*.e2e.ts"],
    exclude: ["**/node_modules/**", "generated/**", "dist/**"],
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
