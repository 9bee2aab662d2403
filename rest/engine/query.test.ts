import type { Request } from "express";
import { describe, expect, it } from "vitest";
import { pageOffset } from "#lib/graphql/pagination.js";
import { RestError } from "./errors.js";
import { pageVariables, queryBoolean, queryInt } from "./query.js";

const request = (query: Record<string, unknown>) => ({ query }) as unknown as Request;

describe("query-string mapping", () => {
  it("turns page and limit into the graph's first and offset", () => {
    expect(pageVariables(request({}))).toEqual({ page: 1, limit: 20, variables: { first: 20, offset: 0 } });
    expect(pageVariables(request({ page: "3", limit: "25" }))).toEqual({ page: 3, limit: 25, variables: { first: 25, offset: 50 } });
  });

  it("passes a limit that is not an integer on, for the graph to refuse with its own message", () => {
    expect(pageVariables(request({ limit: "many" })).variables).toEqual({ first: "many", offset: 0 });
  });

  it("refuses a page below 1 or not a number with 422 naming page", () => {
    const refusal = (page: string) => {
      try {
        pageVariables(request({ page }));
      } catch (err) {
        return (err as RestError).body("r");
      }
    };
    for (const page of ["0", "-1", "two"]) {
      expect(refusal(page)).toEqual({
        error: { code: "BAD_USER_INPUT", message: `page must be an integer from 1, got ${page}`, details: { field: "page" } },
        request_id: "r",
      });
    }
  });

  it("reads integers and booleans, the last value when repeated, nothing when empty", () => {
    expect(queryInt(request({ n: ["1", "2"] }), "n")).toBe(2);
    expect(queryInt(request({ n: "" }), "n")).toBeUndefined();
    expect(queryBoolean(request({ b: "true" }), "b")).toBe(true);
    expect(queryBoolean(request({ b: "false" }), "b")).toBe(false);
    expect(queryBoolean(request({ b: "yes" }), "b")).toBe("yes");
  });
});

describe("the graph's offset", () => {
  it("is 0 when absent and refuses negatives with BAD_USER_INPUT", () => {
    expect(pageOffset(undefined)).toBe(0);
    expect(pageOffset(40)).toBe(40);
    expect(() => pageOffset(-1)).toThrow("offset must be 0 or more, got -1");
  });
});
