import { resolve } from "node:path";
import { read, SERVICES, serviceUrl, type Env } from "../../lib/config.js";

/** `SUPERGRAPH_PATH`, the composed schema the gateway serves, default `./supergraph.graphql`. */
export const supergraphPath = (env: Env = process.env) => resolve(read(env, "SUPERGRAPH_PATH", "supergraph.graphql"));

/**
 * Where a subgraph is called: `<NAME>_URL` (`AUTH_URL`, `USER_URL`, `PRODUCTION_URL`) when the
 * subgraph is one of ours, else the `routing_url` composed into the supergraph.
 */
export function subgraphUrl(name: string, routingUrl: string | undefined, env: Env = process.env): string {
  if (name in SERVICES && name !== "gateway") return `${serviceUrl(name as keyof typeof SERVICES, env)}/graphql`;
  if (!routingUrl) throw new Error(`subgraph ${name} has no routing_url in the supergraph`);
  return routingUrl;
}
