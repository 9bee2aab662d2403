// Hive Gateway over the product's supergraph, for the gateway bench: PORT and SUPERGRAPH_PATH
// come from the bench; HIVE_RUST_PLANNER=1 plans with @graphql-hive/router-runtime (Rust).
import { defineConfig } from "@graphql-hive/gateway";
import { unifiedGraphHandler } from "@graphql-hive/router-runtime";

export const gatewayConfig = defineConfig({
  supergraph: process.env.SUPERGRAPH_PATH,
  port: Number(process.env.PORT),
  host: "127.0.0.1",
  logging: "error",
  ...(process.env.HIVE_RUST_PLANNER === "1" ? { unifiedGraphHandler } : {}),
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get("authorization") ?? undefined }),
  },
});
