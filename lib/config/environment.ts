import type { Env } from "./variable.js";

/**
 * The process's environment: the one place that touches `process.env`, so that every variable
 * is read through the registry, and a test hands its own `Env` instead.
 */
export const processEnv = (): Env => process.env;
