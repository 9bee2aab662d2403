import type { GatewayConfig, OwnSubgraph } from "#lib/config.js";

const isOwn = (name: string, urls: GatewayConfig["subgraphUrls"]): name is OwnSubgraph => Object.hasOwn(urls, name);

/**
 * Where a subgraph is called: `<NAME>_URL` (`AUTH_URL`, `USER_URL`, `PRODUCTION_URL`) when the
 * subgraph is one of ours, else the `routing_url` composed into the supergraph.
 */
export function subgraphUrl(name: string, routingUrl: string | undefined, urls: GatewayConfig["subgraphUrls"]): string {
  if (isOwn(name, urls)) return `${urls[name]}/graphql`;
  if (!routingUrl) throw new Error(`subgraph ${name} has no routing_url in the supergraph`);
  return routingUrl;
}
