import { Validator } from "@seriousme/openapi-schema-validator";
import express from "express";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createLogger } from "#lib/logger.js";
import { operationalRoutes } from "#lib/server/http.js";
import { openApiDocument, openApiPath } from "../engine/openapi.js";
import { documentedRoutes, registeredRoutes } from "../engine/registeredRoutes.js";
import type { RestRoute } from "../engine/route.js";
import { restRouter } from "../engine/router.js";
import { restInfo } from "../engine/service.js";
import { authRoutes, batchRoutes, legacyRoutes, userRoutes } from "./index.js";

const TABLES: Record<string, readonly RestRoute[]> = { gateway: legacyRoutes, auth: authRoutes, user: userRoutes, production: batchRoutes };
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
    expect(documentedRoutes(openApiDocument(legacyRoutes, info)).sort()).toEqual(
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
    const ids = Object.values(openApiDocument(legacyRoutes, info).paths).flatMap((ops) =>
      Object.values(ops).map((op) => (op as { operationId: string }).operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});
