import { Validator } from "@seriousme/openapi-schema-validator";
import express from "express";
import { describe, expect, it } from "vitest";
import { gatewayRoutes } from "../../gateway/src/rest.js";
import { authRoutes } from "../../subgraphs/auth/src/rest.js";
import { batchRoutes } from "../../subgraphs/production/src/rest.js";
import { userRoutes } from "../../subgraphs/user/src/rest.js";
import { createLogger } from "../logger.js";
import { operationalRoutes } from "../server/http.js";
import { openApiDocument, openApiPath } from "./openapi.js";
import { documentedRoutes, registeredRoutes } from "./registeredRoutes.js";
import type { RestRoute } from "./route.js";
import { restRouter } from "./router.js";
import { restInfo } from "./service.js";
import { Registry } from "prom-client";

const TABLES: Record<string, readonly RestRoute[]> = { gateway: gatewayRoutes, auth: authRoutes, user: userRoutes, production: batchRoutes };
const info = restInfo("Test", "Test.");

/** An app mounted as the services mount theirs: operational routes, then the REST router. */
function appOf(routes: readonly RestRoute[]) {
  const app = express();
  app.use(operationalRoutes("test", new Registry()));
  app.use(restRouter(routes, { executor: async () => ({ data: null }), logger: createLogger("test", "silent"), info }));
  return app;
}

describe("the OpenAPI document", () => {
  it.each(Object.entries(TABLES))("of %s is a valid OpenAPI 3.1 document", async (_name, routes) => {
    const validator = new Validator();
    const result = await validator.validate(openApiDocument(routes, info));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it.each(Object.entries(TABLES))("of %s lists exactly the REST routes its app serves", (_name, routes) => {
    const served = registeredRoutes(appOf(routes)).filter((route) => route.split(" ")[1] !== "/metrics");
    expect(documentedRoutes(openApiDocument(routes, info)).sort()).toEqual(served.sort());
  });

  it("covers every legacy endpoint on the gateway", () => {
    expect(documentedRoutes(openApiDocument(gatewayRoutes, info)).sort()).toEqual(
      [
        "GET /health",
        "GET /api/openapi.json",
        "POST /api/auth/login",
        "POST /api/auth/verify",
        "POST /api/auth/logout",
        "GET /api/users",
        "POST /api/users",
        "GET /api/users/:id",
        "PUT /api/users/:id",
        "DELETE /api/users/:id",
        "GET /api/batches",
        "POST /api/batches",
        "GET /api/batches/:id",
        "PUT /api/batches/:id",
      ].sort(),
    );
  });

  it("documents one error body for every error status, and Location for 201", () => {
    const document = openApiDocument(batchRoutes, info);
    const create = document.paths["/api/batches"]!.post as { responses: Record<string, any> };
    expect(create.responses[201].headers.Location).toBeDefined();
    for (const status of ["400", "401", "403", "409", "422", "500"]) {
      expect(create.responses[status].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Error" });
    }
    expect(openApiPath("/api/batches/:id")).toBe("/api/batches/{id}");
  });

  it("gives every operation a unique id", () => {
    const ids = Object.values(openApiDocument(gatewayRoutes, info).paths).flatMap((ops) =>
      Object.values(ops).map((op) => (op as { operationId: string }).operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});
