/**
 * `npm start` (after `scripts/prepare.ts`): the gateway and every subgraph of
 * `lib/config/subgraphNames.ts`, run from their sources with tsx, their output prefixed with
 * their names. One stopping stops them all; Ctrl-C stops them cleanly.
 */
import concurrently from "concurrently";
import { SUBGRAPH_NAMES } from "#lib/config.js";

const COLORS = ["blue", "magenta", "green", "yellow", "cyan", "red", "white", "gray"];

const services = [
  { name: "gateway", command: "tsx gateway/src/index.ts" },
  ...SUBGRAPH_NAMES.map((name) => ({ name, command: `tsx subgraphs/${name}/src/index.ts` })),
].map((service, i) => ({ ...service, prefixColor: COLORS[i % COLORS.length] }));

const { result } = concurrently(services, { killOthersOn: ["failure", "success"], prefix: "name" });

result.then(
  () => process.exit(0),
  () => process.exit(1),
);
