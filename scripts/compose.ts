/**
 * `npm run compose`: composes the subgraphs of `supergraph.yaml` into `supergraph.graphql`.
 * `npm run compose:check` (part of `npm test`) writes nothing and fails when the checked-in
 * supergraph differs from a fresh composition.
 */
import { fileURLToPath } from "node:url";
import { writeOrCheckSupergraph } from "./composition.js";
import { runScript } from "./script.js";

const CONFIG = fileURLToPath(new URL("../supergraph.yaml", import.meta.url));
const SUPERGRAPH = fileURLToPath(new URL("../supergraph.graphql", import.meta.url));

await runScript(() => writeOrCheckSupergraph(CONFIG, SUPERGRAPH, process.argv.includes("--check")));
