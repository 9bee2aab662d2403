import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../../test/support/graphql.js";
import { startInProcessGateway, startInProcessStack, type InProcessStack } from "../../test/support/inProcessStack.js";
import { DASHBOARD_QUERY } from "../../test/support/queries.js";

let stack: InProcessStack;
let gateway: string;
let token: string;

beforeAll(async () => {
  stack = await startInProcessStack({ events: false });
  gateway = stack.gateway.url;
  token = await stack.login(await stack.createUser({ roles: ["QA"] }));
});

afterAll(async () => {
  await stack?.stop();
});

/** The value of the first sample of `name` carrying all of `labels`, in Prometheus text format. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** A valid query `levels` deep: inline fragments nested in one another, `__typename` at the bottom. */
const nested = (levels: number) => `{ ${"... on Query { ".repeat(levels - 1)}__typename${" }".repeat(levels - 1)} }`;

describe("operation limits", () => {
  it("serves the graph's deepest real query, with the federation plan behind it", async () => {
    const result = await graphql(gateway, DASHBOARD_QUERY, {}, token);
    expect(result.errors).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result.data!.me.roles).toEqual(["QA"]);
  });

  it("counts operations by name, subgraph calls and errors in /metrics", async () => {
    expect((await graphql(gateway, DASHBOARD_QUERY, {}, token)).errors).toBeUndefined();
    const gatewayMetrics = await (await fetch(`${gateway}/metrics`)).text();
    const dashboard = { operation_name: "Dashboard", operation_type: "query", outcome: "ok" };
    expect(sample(gatewayMetrics, "graphql_requests_total", dashboard)).toBeGreaterThanOrEqual(1);
    expect(sample(gatewayMetrics, "graphql_request_duration_seconds_count", dashboard)).toBeGreaterThanOrEqual(1);
    expect(sample(gatewayMetrics, "subgraph_fetch_duration_seconds_count", { subgraph: "production", outcome: "ok" })).toBeGreaterThanOrEqual(1);
    expect(sample(gatewayMetrics, "subgraph_fetch_duration_seconds_count", { subgraph: "user", outcome: "ok" })).toBeGreaterThanOrEqual(1);
    expect(sample(gatewayMetrics, "subgraph_circuit_open", { subgraph: "user" })).toBe(0);
    // Each subgraph counts the operations the gateway sent it, under their planned names.
    const production = await (await fetch(`${stack.production.url}/metrics`)).text();
    expect(sample(production, "graphql_requests_total", { operation_name: "Dashboard__production__0", outcome: "ok" })).toBeGreaterThanOrEqual(1);
  });

  it("refuses a query 20 levels deep with MAX_DEPTH_LIMIT", async () => {
    const result = await graphql(gateway, nested(20), {}, token);
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors).toContainEqual({ message: "Query depth limit of 10 exceeded, found 20.", extensions: { code: "MAX_DEPTH_LIMIT" } });
    // Other limits it breaks may be reported too (its estimated cost), but nothing else.
    for (const error of result.errors!) expect(error.extensions!.code).toMatch(/^MAX_\w+_LIMIT$/);
  });

  it("refuses more aliases than allowed with MAX_ALIASES_LIMIT", async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(" ");
    const result = await graphql(gateway, `{ me { ${aliases} } }`, {}, token);
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([{ message: "Aliases limit of 15 exceeded, found 16.", extensions: { code: "MAX_ALIASES_LIMIT" } }]);
  });

  it("refuses 500 aliases before parsing them: the document is over the token limit", async () => {
    // Every alias is at least three tokens (`a1`, `:`, a field): 500 of them are ~1500 tokens.
    const aliases = Array.from({ length: 500 }, (_, i) => `a${i}:__typename`).join(" ");
    const result = await graphql(gateway, `{${aliases}}`, {}, token);
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([
      {
        message: expect.stringMatching(/^Syntax Error: Document contains more th(?:an|at) 1000 tokens\. Parsing aborted\.$/),
        locations: expect.any(Array),
        extensions: { code: "MAX_TOKENS_LIMIT" },
      },
    ]);
  });

  it("refuses too many root fields with MAX_ROOT_FIELDS_LIMIT", async () => {
    const result = await graphql(gateway, `{ ${Array.from({ length: 11 }, () => "__typename").join(" ")} }`, {}, token);
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([{ message: "Root field limit of 10 exceeded, found 11.", extensions: { code: "MAX_ROOT_FIELDS_LIMIT" } }]);
  });

  it("refuses a 5 MB body with 413 PAYLOAD_TOO_LARGE", async () => {
    const response = await fetch(`${gateway}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }", variables: { padding: "x".repeat(5 * 1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ errors: [{ message: "request entity too large", extensions: { code: "PAYLOAD_TOO_LARGE" } }] });
  });

  it("refuses batched requests", async () => {
    const response = await fetch(`${gateway}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("batch");
  });

  it("refuses a GET query without a preflight-forcing header (CSRF prevention)", async () => {
    const response = await fetch(`${gateway}/graphql?query=${encodeURIComponent("{ __typename }")}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("CSRF");
  });

  it("answers no introspection and no field suggestions in production", async () => {
    const production = await startInProcessGateway({ ...stack.env, NODE_ENV: "production" });
    try {
      const introspection = await graphql(production.url, `{ __schema { types { name } } }`, {}, token);
      expect(introspection.status).toBe(400);
      expect(introspection.errors![0]!.message).toMatch(/^GraphQL introspection is not allowed/);
      const typo = await graphql(production.url, `{ me { nam } }`, {}, token);
      expect(typo.errors).toEqual([
        { message: 'Cannot query field "nam" on type "User".', locations: expect.any(Array), extensions: { code: "GRAPHQL_VALIDATION_FAILED" } },
      ]);
      // Development keeps suggestions.
      expect((await graphql(gateway, `{ me { nam } }`, {}, token)).errors![0]!.message).toContain('Did you mean "name"?');
    } finally {
      await production.stop();
    }
  });

  it("serves a persisted query by hash on another instance once registered on one (APQ cache in Redis)", async () => {
    const other = await startInProcessGateway(stack.env);
    try {
      const query = "query Persisted { me { roles } }";
      const extensions = { persistedQuery: { version: 1, sha256Hash: createHash("sha256").update(query).digest("hex") } };
      const post = (url: string, body: object) =>
        fetch(`${url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        }).then((r) => r.json());
      expect(await post(other.url, { extensions })).toMatchObject({ errors: [{ extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } }] });
      expect(await post(gateway, { query, extensions })).toEqual({ data: { me: { roles: ["QA"] } } });
      expect(await post(other.url, { extensions })).toEqual({ data: { me: { roles: ["QA"] } } });
    } finally {
      await other.stop();
    }
  });
});
