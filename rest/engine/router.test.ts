import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GraphQLError } from "graphql";
import { createLogger } from "#lib/logger.js";
import type { Executor, GraphQLOutcome } from "./executor.js";
import { run, type TypedDocument } from "./operation.js";
import { restRoute, type RestRoute } from "./route.js";
import { restRouter } from "./router.js";
import { restInfo } from "./service.js";

/** The router in process over a fake graph: what it sends to the graph and how it answers. */
let outcome: GraphQLOutcome | Error;
const executor = vi.fn<Executor>(async () => {
  if (outcome instanceof Error) throw outcome;
  return outcome;
});

/** Documents of a made-up schema, typed as codegen types the real ones. */
const CreateThing: TypedDocument<{ createThing: { id: string } }, { input: unknown }> =
  "mutation CreateThing($input: ThingInput!) { createThing(input: $input) { id } }";
const DeleteThing: TypedDocument<{ deleteThing: boolean }, { id: string }> = "mutation DeleteThing($id: ID!) { deleteThing(id: $id) }";

const routes: RestRoute[] = [
  restRoute({
    method: "post",
    path: "/api/things",
    summary: "Create",
    tag: "t",
    operation: (req) => run(CreateThing, { input: req.body }),
    result: ({ createThing }) => ({ status: 201, body: createThing, headers: { location: `/api/things/${createThing.id}` } }),
    body: { required: true, schema: {} },
    response: { status: 201, description: "Created." },
    errors: [400],
    authenticated: true,
  }),
  restRoute({
    method: "delete",
    path: "/api/things/:id",
    summary: "Delete",
    tag: "t",
    operation: (req) => run(DeleteThing, { id: req.params.id }),
    result: () => ({ status: 204 }),
    response: { status: 204, description: "Deleted." },
    errors: [],
    authenticated: true,
  }),
];

let server: ReturnType<express.Express["listen"]>;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(restRouter(routes, { executor, logger: createLogger("test", "silent"), info: restInfo("Test", "Test.") }));
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const post = (body: string, contentType = "application/json", headers: Record<string, string> = {}) =>
  fetch(`${base}/api/things`, { method: "POST", headers: { "content-type": contentType, ...headers }, body });

describe("the REST router", () => {
  it("runs the operation with the mapped variables and answers 201 with Location", async () => {
    outcome = { data: { createThing: { id: "t1" } } };
    executor.mockClear();
    const response = await post(JSON.stringify({ name: "x" }), "application/json", { "x-request-id": "req-9" });
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe("/api/things/t1");
    expect(response.headers.get("x-request-id")).toBe("req-9");
    expect(await response.json()).toEqual({ id: "t1" });
    expect(executor).toHaveBeenCalledWith(expect.objectContaining({ headers: expect.objectContaining({ "x-request-id": "req-9" }) }), {
      query: CreateThing.toString(),
      variables: { input: { name: "x" } },
    });
  });

  it("answers 204 without a body", async () => {
    outcome = { data: { deleteThing: true } };
    const response = await fetch(`${base}/api/things/t1`, { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
  });

  it.each([
    ["malformed JSON", "{not json", "application/json", /^Malformed JSON body/],
    ["a wrong content type", "name=x", "application/x-www-form-urlencoded", /^Content-Type must be application\/json$/],
    ["a body that is not an object", "[1, 2]", "application/json", /^The body must be a JSON object$/],
  ])("refuses %s with 400 without running anything", async (_what, body, type, message) => {
    executor.mockClear();
    const response = await post(body, type, { "x-request-id": "req-400" });
    expect(response.status).toBe(400);
    const json = await response.json();
    expect(json).toEqual({ error: { code: "BAD_REQUEST", message: expect.stringMatching(message) }, request_id: "req-400" });
    expect(executor).not.toHaveBeenCalled();
  });

  it("maps the graph's errors, with details and Retry-After", async () => {
    outcome = { data: null, errors: [{ message: "Slow down", extensions: { code: "TOO_MANY_REQUESTS", retryAfter: 12 } }] };
    const response = await post("{}");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("12");
    const json = await response.json();
    expect(json).toEqual({
      error: { code: "TOO_MANY_REQUESTS", message: "Slow down", details: { retryAfter: 12 } },
      request_id: expect.any(String),
    });
    expect(json.request_id).toBe(response.headers.get("x-request-id"));
  });

  it("answers an invalid token (refused while building the context) with 401", async () => {
    outcome = new GraphQLError("Invalid token: jwt expired", { extensions: { code: "UNAUTHENTICATED", http: { status: 401 } } });
    const response = await post("{}", "application/json", { "x-request-id": "req-401" });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { code: "UNAUTHENTICATED", message: "Invalid token: jwt expired" },
      request_id: "req-401",
    });
  });

  it("masks a failure nobody classified as 500", async () => {
    outcome = new Error("database exploded");
    const response = await post("{}");
    expect(response.status).toBe(500);
    expect((await response.json()).error).toEqual({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
  });

  it("answers an unknown /api path with 404 in the same body, and serves its OpenAPI document", async () => {
    const missing = await fetch(`${base}/api/nothing?x=1`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toEqual({ code: "NOT_FOUND", message: "No endpoint GET /api/nothing" });
    const document = await (await fetch(`${base}/api/openapi.json`)).json();
    expect(Object.keys(document.paths)).toEqual(["/health", "/api/openapi.json", "/api/things", "/api/things/{id}"]);
  });
});
