import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * The fault suite (`npm run test:faults`, CI after `npm test`): backing services restarted,
 * flushed or cut under a running stack (test/faults, files `*.fault.ts`, which the default
 * run does not pick up). Files run one after another: each starts processes and private
 * servers of its own, and faults are judged by timing.
 */
// The default run's projects are left out: only the fault files run here.
const { projects: _projects, ...test } = base.test ?? {};

export default defineConfig({
  ...base,
  test: {
    ...test,
    globalSetup: ["test/globalSetup.ts"],
    include: ["test/faults/**/*.fault.ts"],
    fileParallelism: false,
    testTimeout: 90_000,
  },
});
