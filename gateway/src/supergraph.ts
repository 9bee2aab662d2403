import { readFileSync } from "node:fs";

/** Security features the subgraphs enforce themselves (`lib/auth/directives.ts`). */
const ENFORCED_BY_SUBGRAPHS = ["https://specs.apollo.dev/authenticated/", "https://specs.apollo.dev/requiresScopes/"];

/**
 * Reads the composed supergraph for `@apollo/gateway`. Composition links `@authenticated` and
 * `@requiresScopes` `for: SECURITY`, which tells a gateway "refuse to serve unless you enforce
 * this"; the JS gateway cannot, so it would refuse the whole graph. Here every subgraph
 * enforces them on each field it resolves (a direct call to a subgraph is checked the same
 * way), so the gateway is handed the links without the `for: SECURITY` purpose: the
 * directives stay in the schema as documentation, and the checked-in file keeps them intact.
 */
export function readSupergraphSdl(path: string): string {
  return readFileSync(path, "utf8").replace(/@link\(url: "([^"]+)", for: SECURITY\)/g, (link, url: string) =>
    ENFORCED_BY_SUBGRAPHS.some((prefix) => url.startsWith(prefix)) ? `@link(url: "${url}")` : link,
  );
}
