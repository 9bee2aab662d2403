// Bare @apollo/gateway 2.14 on Apollo Server 5, as the Apollo docs set it up, with none of the
// product's hardening: the peer the gateway bench compares against. It forwards Authorization to
// the subgraphs, which verify it. PORT and SUPERGRAPH_PATH come from the bench.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { ApolloServer, HeaderMap } from "@apollo/server";

// The JS gateway refuses a supergraph linking @authenticated/@requiresScopes `for: SECURITY`
// (the subgraphs enforce them), as the product's gateway/src/supergraph.ts explains.
const supergraphSdl = readFileSync(process.env.SUPERGRAPH_PATH, "utf8").replace(/, for: SECURITY\)/g, ")");

class ForwardingDataSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context.authorization) request.http.headers.set("authorization", context.authorization);
  }
}

const server = new ApolloServer({
  gateway: new ApolloGateway({ supergraphSdl, buildService: ({ url }) => new ForwardingDataSource({ url }) }),
});
await server.start();

const http = createServer(async (req, res) => {
  if (req.url === "/health") return res.writeHead(200).end("ok");
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(key, value);
  const raw = Buffer.concat(chunks).toString("utf8");
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method, headers, search: new URL(req.url, "http://x").search, body: raw ? JSON.parse(raw) : undefined },
    context: async () => ({ authorization: req.headers.authorization }),
  });
  res.writeHead(response.status ?? 200, Object.fromEntries(response.headers));
  if (response.body.kind === "complete") res.end(response.body.string);
  else {
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
});
http.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.stop().then(() => process.exit(0)));
