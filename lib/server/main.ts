import { listen } from "./http.js";
import type { ConfigOf } from "../config.js";
import { createRuntime, failStartup, stopOnSignals, type Runtime, type SubgraphName } from "./runtime.js";
import type { SubgraphServer } from "./subgraph.js";
import { createLogger } from "../logger.js";

/**
 * The `index.ts` of every subgraph: opens the runtime, starts the server on its configured
 * port and stops everything cleanly on SIGINT/SIGTERM.
 */
export async function runSubgraph<N extends SubgraphName>(name: N, build: (runtime: Runtime<ConfigOf[N]>) => SubgraphServer | Promise<SubgraphServer>) {
  let runtime: Runtime<ConfigOf[N]>;
  try {
    runtime = await createRuntime(name);
  } catch (err) {
    failStartup(createLogger(name), err);
  }
  let server: SubgraphServer;
  try {
    server = await build(runtime);
    await server.start();
    await listen(server.httpServer, runtime.config.port, runtime.config.host, runtime.logger);
  } catch (err) {
    await runtime.close();
    failStartup(runtime.logger, err);
  }
  stopOnSignals(runtime.logger, async () => {
    await server.stop();
    await runtime.close();
  });
}
