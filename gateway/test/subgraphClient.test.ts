import { once } from "node:events";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import type { GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { Counter, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "#lib/logger.js";
import type { GatewayContext } from "../src/context.js";
import { ForwardingDataSource } from "../src/dataSource.js";
import { InflightQueries } from "../src/inflightQueries.js";
import { createSubgraphClient, type SubgraphAnswer, type SubgraphCallSettings } from "../src/subgraphClient.js";
import { SubgraphUnavailableError } from "../src/subgraphErrors.js";

const settings: SubgraphCallSettings = { timeoutMs: 500, retries: 2, breakerFailures: 3, breakerResetMs: 60_000, connections: 4 };
const logger = createLogger("test", "silent");
const servers: Array<{ close(): unknown }> = [];

afterEach(async () => {
  for (const server of servers.splice(0)) server.close();
});

/** A TCP server that counts connections and either drops each at once or never answers. */
async function fakeSubgraph(behaviour: "drop" | "hang") {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    if (behaviour === "drop") socket.destroy();
    else socket.on("error", () => undefined);
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, connections: () => connections };
}

const call = (client: ReturnType<typeof createSubgraphClient>, query: string) =>
  client.post(JSON.stringify({ query }), { "content-type": "application/json" }, !query.startsWith("mutation")).then(
    () => undefined,
    (err: unknown) => err,
  );

describe("subgraph calls", () => {
  it("retries a query whose connection failed, never a mutation", async () => {
    const subgraph = await fakeSubgraph("drop");
    const client = createSubgraphClient("user", subgraph.url, settings, new Registry(), logger);
    const queryError = await call(client, "query { me { id } }");
    expect(queryError).toBeInstanceOf(SubgraphUnavailableError);
    expect(queryError).toMatchObject({ subgraph: "user", reason: "connection" });
    expect(subgraph.connections()).toBe(3);
    const mutationError = await call(client, "mutation { logout }");
    expect(mutationError).toMatchObject({ subgraph: "user", reason: "connection" });
    expect(subgraph.connections()).toBe(4);
    await client.close();
  });

  it("gives up at the timeout, and opens the circuit after consecutive failures", async () => {
    const subgraph = await fakeSubgraph("hang");
    const registry = new Registry();
    const client = createSubgraphClient("production", subgraph.url, settings, registry, logger);
    for (let i = 0; i < 3; i++) {
      // The subgraph never answers: the reason shows the call ended on the timeout.
      expect(await call(client, "{ batches { totalCount } }")).toMatchObject({ reason: "timeout" });
    }
    const before = subgraph.connections();
    expect(await call(client, "{ batches { totalCount } }")).toMatchObject({ reason: "circuit_open" });
    expect(subgraph.connections()).toBe(before);
    const text = await registry.metrics();
    expect(text).toContain('subgraph_fetch_errors_total{subgraph="production",reason="timeout"} 3');
    expect(text).toContain('subgraph_fetch_errors_total{subgraph="production",reason="circuit_open"} 1');
    expect(text).toContain('subgraph_circuit_open{subgraph="production"} 1');
    await client.close();
  });
});

/**
 * An HTTP subgraph that holds every request until `release()`, then answers each with its own
 * copy of `{ data: { n } }`, `n` counting the requests it received.
 */
async function heldSubgraph() {
  const held: Array<{ res: ServerResponse; n: number }> = [];
  const received: Array<{ body: string; authorization?: string }> = [];
  let arrived: () => void = () => undefined;
  const server = createHttpServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk));
    req.on("end", () => {
      received.push({ body, authorization: req.headers.authorization });
      held.push({ res, n: received.length });
      arrived();
    });
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    received,
    /** Resolves once `count` requests have arrived. */
    arrivals: (count: number) =>
      new Promise<void>((resolve) => {
        arrived = () => received.length >= count && resolve();
        arrived();
      }),
    release: () => {
      for (const { res, n } of held.splice(0)) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { n } }));
    },
  };
}

function dataSource(url: string) {
  const registry = new Registry();
  const client = createSubgraphClient("production", url, { ...settings, connections: 8 }, registry, logger);
  const deduplicated = new Counter({ name: "deduplicated", help: "-", labelNames: ["subgraph"], registers: [registry] });
  servers.push({ close: () => client.close() });
  const source = new ForwardingDataSource({ client, inflight: new InflightQueries<SubgraphAnswer>(), deduplicated });
  const send = (query: string, authorization?: string) =>
    source.process({
      kind: "incoming operation",
      request: { query, variables: {} },
      context: { authorization, requestId: "r", clientIp: "127.0.0.1" },
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
  return { send, merged: async () => (await deduplicated.get()).values[0]?.value ?? 0 };
}

describe("deduplication of identical queries in flight", () => {
  it("sends identical concurrent queries of one caller once, and gives each caller its own copy", async () => {
    const subgraph = await heldSubgraph();
    const { send, merged } = dataSource(subgraph.url);
    const answers = Promise.all([1, 2, 3].map(() => send("{ batches { totalCount } }", "Bearer a")));
    await subgraph.arrivals(1);
    subgraph.release();
    const [first, second, third] = await answers;
    expect(subgraph.received).toHaveLength(1);
    expect(first).toEqual({ data: { n: 1 } });
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(third).not.toBe(second);
    expect(await merged()).toBe(2);
    // Once settled, the same query is sent again.
    const again = send("{ batches { totalCount } }", "Bearer a");
    await subgraph.arrivals(2);
    subgraph.release();
    expect(await again).toEqual({ data: { n: 2 } });
  });

  it("never merges mutations, nor requests with different tokens or bodies", async () => {
    const subgraph = await heldSubgraph();
    const { send, merged } = dataSource(subgraph.url);
    const answers = Promise.all([
      send("mutation { logout }", "Bearer a"),
      send("mutation { logout }", "Bearer a"),
      send("{ me { id } }", "Bearer a"),
      send("{ me { id } }", "Bearer b"),
      send("{ me { email } }", "Bearer a"),
      send("{ me { id } }"),
    ]);
    await subgraph.arrivals(6);
    subgraph.release();
    await answers;
    expect(subgraph.received).toHaveLength(6);
    expect(subgraph.received.filter((r) => r.body.includes("logout"))).toHaveLength(2);
    expect(new Set(subgraph.received.map((r) => r.authorization))).toEqual(new Set(["Bearer a", "Bearer b", undefined]));
    expect(await merged()).toBe(0);
  });
});
