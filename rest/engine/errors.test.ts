import { describe, expect, it } from "vitest";
import { found, RestError, restErrorFromGraphQL } from "./errors.js";

const graphQLError = (code: string, extensions: Record<string, unknown> = {}) => [{ message: `${code} happened`, extensions: { code, ...extensions } }];

describe("REST error mapping", () => {
  it.each([
    ["UNAUTHENTICATED", 401],
    ["FORBIDDEN", 403],
    ["NOT_FOUND", 404],
    ["CONFLICT", 409],
    ["BAD_USER_INPUT", 422],
    ["TOO_MANY_REQUESTS", 429],
    ["SERVICE_UNAVAILABLE", 503],
  ])("maps %s to %i, keeping the message", (code, status) => {
    const error = restErrorFromGraphQL(graphQLError(code));
    expect(error.status).toBe(status);
    expect(error.body("req-1")).toEqual({ error: { code, message: `${code} happened` }, request_id: "req-1" });
  });

  it("keeps what the graph says about the error as details, not how it travelled", () => {
    const error = restErrorFromGraphQL(
      graphQLError("BAD_USER_INPUT", { field: "status", allowed: ["QA_HOLD"], http: { status: 400 }, stacktrace: ["x"], serviceName: "production" }),
    );
    expect(error.body("r")).toEqual({
      error: { code: "BAD_USER_INPUT", message: "BAD_USER_INPUT happened", details: { field: "status", allowed: ["QA_HOLD"] } },
      request_id: "r",
    });
  });

  it("masks internal errors and codes the REST contract does not know", () => {
    for (const errors of [graphQLError("INTERNAL_SERVER_ERROR"), graphQLError("GRAPHQL_VALIDATION_FAILED"), [{ message: "no code" }]]) {
      const error = restErrorFromGraphQL(errors);
      expect(error.status).toBe(500);
      expect(error.body("r")).toEqual({ error: { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" }, request_id: "r" });
    }
  });

  it("the first error decides", () => {
    expect(restErrorFromGraphQL([...graphQLError("CONFLICT"), ...graphQLError("FORBIDDEN")]).code).toBe("CONFLICT");
  });

  it("turns a null into a 404 naming what was looked for", () => {
    expect(found({ id: 1 }, "batch", 1)).toEqual({ id: 1 });
    expect(() => found(null, "batch", "b-1")).toThrow(new RestError("NOT_FOUND", "No batch with id b-1"));
  });
});
