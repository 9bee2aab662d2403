import { ConfigError } from "#lib/config.js";

/** A failure whose message says all the reader needs: printed without a stack trace. */
export class ScriptError extends Error {
  override name = "ScriptError";
}

/**
 * Runs a command-line script and exits: 0 on success, 1 on failure. A `ScriptError` or a
 * `ConfigError` prints its message only; anything unexpected prints its stack. Exiting
 * explicitly keeps a forgotten open handle from stalling `npm start`.
 */
export async function runScript(main: () => Promise<void>): Promise<never> {
  try {
    await main();
    process.exit(0);
  } catch (err) {
    console.error(err instanceof ScriptError || err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
}
