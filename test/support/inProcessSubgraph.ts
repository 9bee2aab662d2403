import { pino, type Logger } from "pino";
import { inject } from "vitest";
import { SERVICES, type ConfigOf, type Env } from "#lib/config.js";
import { listen } from "#lib/server/http.js";
import { createRuntime, type Runtime, type SubgraphName } from "#lib/server/runtime.js";
import type { SubgraphServer } from "#lib/server/subgraph.js";

/** A subgraph running in this process on a free port. */
export interface InProcessSubgraph<N extends SubgraphName> {
  url: string;
  runtime: Runtime<ConfigOf[N]>;
  /** Every line it logged at `logLevel` or above, parsed (kept, not printed). */
  logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** A logger that keeps every line, parsed, in `logs` instead of printing it. */
export function capturingLogger(service: string, logs: Array<Record<string, unknown>>, level: string): Logger {
  return pino({ level, base: { service } }, { write: (line: string) => void logs.push(JSON.parse(line)) });
}

/**
 * Starts subgraph `name`, built by `build` (the `createXServer` its `index.ts` uses), on a free
 * port against real backing services: the run's shared database unless `env` names another,
 * `env` added to the process environment. Its logs are kept from `logLevel` on (default none).
 * `port` 0 takes a free one; a given one starts it again where a stopped instance listened.
 */
export async function startInProcessSubgraph<N extends SubgraphName>(
  name: N,
  build: (runtime: Runtime<ConfigOf[N]>) => SubgraphServer,
  env: Env = {},
  logLevel = "silent",
  port = 0,
): Promise<InProcessSubgraph<N>> {
  const logs: Array<Record<string, unknown>> = [];
  const runtime = {
    ...(await createRuntime(name, { ...process.env, DATABASE_URL: inject("databaseUrl"), [SERVICES[name].portVariable]: "0", LOG_LEVEL: "silent", ...env })),
    logger: capturingLogger(name, logs, logLevel),
  };
  try {
    const server = build(runtime);
    await server.start();
    const url = await listen(server.httpServer, port, "127.0.0.1", runtime.logger);
    return { url, runtime, logs, stop: () => server.stop().finally(() => runtime.close()) };
  } catch (err) {
    await runtime.close();
    throw err;
  }
}
