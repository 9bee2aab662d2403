import { runSubgraph } from "#lib/server/main.js";
import { createUserServer } from "./server.js";

await runSubgraph("user", createUserServer);
