import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProductionBatch } from "../src/batches/productionBatches.js";

/**
 * A real HTTP server standing in for the production subgraph, for the qa subgraph tested alone:
 * it answers `batch(id)` from `batches`, which the test fills (an id it lacks is no batch).
 */
export interface BatchStandIn {
  url: string;
  batches: Map<string, ProductionBatch>;
  stop(): Promise<void>;
}

/** Starts the stand-in on a free port. */
export async function startBatchStandIn(): Promise<BatchStandIn> {
  const batches = new Map<string, ProductionBatch>();
  const server: Server = createServer(async (req, res) => {
    if (req.url !== "/graphql" || req.method !== "POST") return void res.writeHead(404).end();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query: string; variables?: { id?: string } };
    const body = /\bbatch\s*\(/.test(query)
      ? { data: { batch: batches.get(String(variables?.id ?? "").toLowerCase()) ?? null } }
      : { errors: [{ message: "the stand-in answers batch(id) only", extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }] };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    batches,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
