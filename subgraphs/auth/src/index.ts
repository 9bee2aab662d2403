import { runSubgraph } from "#lib/server/main.js";
import { createAuthServer } from "./server.js";

await runSubgraph("auth", createAuthServer);
