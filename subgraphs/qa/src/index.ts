import { runSubgraph } from "#lib/server/main.js";
import { createQaServer } from "./server.js";

await runSubgraph("qa", createQaServer);
