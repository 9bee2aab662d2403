import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProductionBatch } from "../../subgraphs/qa/src/batches/productionBatches.js";

/** One GraphQL call the stand-in received. */
export interface ProductionCall {
  headers: IncomingHttpHeaders;
  query: string;
  variables: Record<string, unknown>;
}

/**
 * A real HTTP server standing in for the production subgraph, for the qa subgraph tested
 * alone: it answers `batch(id)` from `batches`, which the test fills, and records each call
 * (with its Authorization header, which qa must forward).
 */
export interface FakeProduction {
  url: string;
  /** The batches production has, by id (lower case); an id not here is answered with `batch: null`. */
  batches: Map<string, ProductionBatch>;
  /** Every `/graphql` call, oldest first. */
  calls: ProductionCall[];
  stop(): Promise<void>;
}

/** Starts the stand-in on a free port. */
export async function startFakeProduction(): Promise<FakeProduction> {
  const batches = new Map<string, ProductionBatch>();
  const calls: ProductionCall[] = [];
  const server: Server = createServer(async (req, res) => {
    if (req.url !== "/graphql" || req.method !== "POST") return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { query, variables = {} } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    calls.push({ headers: req.headers, query, variables });
    const body = /\bbatch\s*\(/.test(query)
      ? // Ids are UUIDs, which PostgreSQL compares without regard to case.
        { data: { batch: batches.get(String(variables.id).toLowerCase()) ?? null } }
      : { errors: [{ message: "the production stand-in answers batch(id) only", extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }] };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    batches,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
