import { once } from "node:events";
import { createServer, type AddressInfo, type Server } from "node:net";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../lib/logger.js";
import { createSubgraphFetcher, SubgraphUnavailableError, type SubgraphCallSettings } from "../src/subgraphClient.js";

const settings: SubgraphCallSettings = { timeoutMs: 500, retries: 2, breakerFailures: 3, breakerResetMs: 60_000, connections: 4 };
const logger = createLogger("test", "silent");
const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) server.close();
});

/** A TCP server that counts connections and either drops each at once or never answers. */
async function fakeSubgraph(behaviour: "drop" | "hang") {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    if (behaviour === "drop") socket.destroy();
    else socket.on("error", () => undefined);
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, connections: () => connections };
}

const call = (fetcher: ReturnType<typeof createSubgraphFetcher>["fetcher"], url: string, query: string) =>
  fetcher(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query }) }).then(
    () => undefined,
    (err: unknown) => err,
  );

describe("subgraph calls", () => {
  it("retries a query whose connection failed, never a mutation", async () => {
    const subgraph = await fakeSubgraph("drop");
    const { fetcher, close } = createSubgraphFetcher("user", settings, new Registry(), logger);
    const queryError = await call(fetcher, subgraph.url, "query { me { id } }");
    expect(queryError).toBeInstanceOf(SubgraphUnavailableError);
    expect(queryError).toMatchObject({ subgraph: "user", reason: "connection" });
    expect(subgraph.connections()).toBe(3);
    const mutationError = await call(fetcher, subgraph.url, "mutation { logout }");
    expect(mutationError).toMatchObject({ subgraph: "user", reason: "connection" });
    expect(subgraph.connections()).toBe(4);
    await close();
  });

  it("gives up at the timeout, and opens the circuit after consecutive failures", async () => {
    const subgraph = await fakeSubgraph("hang");
    const registry = new Registry();
    const { fetcher, close } = createSubgraphFetcher("production", settings, registry, logger);
    for (let i = 0; i < 3; i++) {
      // The subgraph never answers: the reason shows the call ended on the timeout.
      expect(await call(fetcher, subgraph.url, "{ batches { totalCount } }")).toMatchObject({ reason: "timeout" });
    }
    const before = subgraph.connections();
    expect(await call(fetcher, subgraph.url, "{ batches { totalCount } }")).toMatchObject({ reason: "circuit_open" });
    expect(subgraph.connections()).toBe(before);
    const text = await registry.metrics();
    expect(text).toContain('subgraph_fetch_errors_total{subgraph="production",reason="timeout"} 3');
    expect(text).toContain('subgraph_fetch_errors_total{subgraph="production",reason="circuit_open"} 1');
    expect(text).toContain('subgraph_circuit_open{subgraph="production"} 1');
    await close();
  });
});
