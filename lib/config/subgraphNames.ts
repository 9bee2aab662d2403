/**
 * The subgraphs of the supergraph, auth first (every other one reads auth's JWKS when it
 * starts). `npm run new:subgraph` adds a name here; the services' names, the readers of each
 * variable, the gateway's `<NAME>_URL`s, `npm start` and the test stacks follow this list.
 */
export const SUBGRAPH_NAMES = ["auth", "user", "production", "qa"] as const;

export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** The gateway and the subgraphs: every service process. */
export type ServiceName = "gateway" | SubgraphName;
