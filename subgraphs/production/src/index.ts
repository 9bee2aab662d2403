import { runSubgraph } from "#lib/server/main.js";
import { createProductionServer } from "./server.js";

await runSubgraph("production", createProductionServer);
