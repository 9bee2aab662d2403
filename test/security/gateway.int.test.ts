import { Buffer } from "node:buffer";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { ApolloServer, HeaderMap } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import { buildSubgraphSchema } from "@apollo/subgraph";
import express from "express";
import { parse } from "graphql";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { TokenVerifier } from "#lib/auth/verifier.js";
import { apiError } from "#lib/errors.js";
import { createLogger } from "#lib/logger.js";
import { listen } from "#lib/server/http.js";
import { createGatewayServer } from "../../gateway/src/server.js";
import { readServiceConfig } from "#lib/config.js";
import { graphql, readCounter, type GraphQLResult } from "../support/graphql.js";
import { startInProcessStack, type InProcessStack } from "../support/inProcessStack.js";

/**
 * Low login limit so a test reaches it. Each test calls from an address of its own (sent in
 * `X-Forwarded-For`, trusted from loopback), so that no test spends another's allowance.
 */
const ENV = { RATE_LIMIT_LOGIN: "3", TRUST_PROXY: "loopback" };

let stack: InProcessStack;

beforeAll(async () => {
  stack = await startInProcessStack({ events: false, env: ENV });
});

afterAll(async () => {
  await stack?.stop();
});

/** A client address of its own, as a proxy in front of the gateway would report it. */
const clientAddress = () => ({ "x-forwarded-for": `2001:db8::${randomBytes(2).toString("hex")}:${randomBytes(2).toString("hex")}` });

/** Runs `query` through the gateway as the client `from`. */
const callFrom = (from: Record<string, string>, query: string, variables: Record<string, unknown> = {}, token?: string) =>
  graphql(stack.gateway.url, query, variables, token, from);

/** A failing login's arguments; a new unknown email each time, so that auth's own per-account throttle never answers. */
const loginArgs = () => `email: "nobody-${randomBytes(6).toString("hex")}@example.com", password: "not-the-password"`;

function expectLoginLimited(result: GraphQLResult) {
  expect(result.status).toBe(429);
  expect(Number(result.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(result.errors).toEqual([{ message: "Too many requests, retry later", extensions: { code: "TOO_MANY_REQUESTS", retryAfter: expect.any(Number) } }]);
}

/** A login the limit let through: the wrong password is refused by auth, not by the limit. */
function expectLoginAttempted(result: GraphQLResult) {
  expect(result.status).toBe(200);
  expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
}

describe("fragments do not hide root fields", () => {
  it("a login wrapped in an inline fragment counts against the per-IP login limit", async () => {
    const from = clientAddress();
    const wrapped = () => `mutation { ... on Mutation { login(${loginArgs()}) { accessToken } } }`;
    for (let i = 0; i < 3; i++) expectLoginAttempted(await callFrom(from, wrapped()));
    expectLoginLimited(await callFrom(from, wrapped()));
  });

  it("a login inside a named fragment, nested in another, counts against the per-IP login limit", async () => {
    const from = clientAddress();
    const nested = () =>
      `mutation { ...Outer } fragment Outer on Mutation { ... on Mutation { ...Inner } } fragment Inner on Mutation { login(${loginArgs()}) { accessToken } }`;
    for (let i = 0; i < 3; i++) expectLoginAttempted(await callFrom(from, nested()));
    expectLoginLimited(await callFrom(from, nested()));
  });

  it("two aliased logins in one operation count twice, and so does a fragment spread twice", async () => {
    const from = clientAddress();
    expectLoginAttempted(await callFrom(from, `mutation { a: login(${loginArgs()}) { accessToken } b: login(${loginArgs()}) { accessToken } }`));
    // One login left of three: a fragment holding one, spread twice, is two.
    expectLoginLimited(await callFrom(from, `mutation { ...L ...L } fragment L on Mutation { login(${loginArgs()}) { accessToken } }`));
  });

  it("an operation with more logins than the whole limit is refused at once", async () => {
    const from = clientAddress();
    const many = Array.from({ length: 4 }, (_, i) => `l${i}: login(${loginArgs()}) { accessToken }`).join(" ");
    expectLoginLimited(await callFrom(from, `mutation { ${many} }`));
  });

  it("root fields inside inline fragments count against MAX_ROOT_FIELDS", async () => {
    const fields = Array.from({ length: 11 }, (_, i) => `f${i}: __typename`).join(" ");
    const result = await callFrom(clientAddress(), `{ ... on Query { ${fields} } }`);
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([{ message: "Root field limit of 10 exceeded, found 11.", extensions: { code: "MAX_ROOT_FIELDS_LIMIT" } }]);
  });

  it("root fields of a named fragment spread twice count twice against MAX_ROOT_FIELDS", async () => {
    const fields = Array.from({ length: 6 }, (_, i) => `f${i}: __typename`).join(" ");
    const result = await callFrom(clientAddress(), `{ ...F ... on Query { ...F } } fragment F on Query { ${fields} }`);
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([{ message: "Root field limit of 10 exceeded, found 12.", extensions: { code: "MAX_ROOT_FIELDS_LIMIT" } }]);
  });

  it("fragments spread in one another many times over are counted without expanding them", async () => {
    // 2^40 root fields if expanded: counted per fragment, the answer is immediate.
    const levels = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join(" ");
    const result = await callFrom(clientAddress(), `{ ...F0 } ${levels} fragment F40 on Query { __typename }`);
    expect(result.status).toBe(400);
    expect(result.errors).toContainEqual({ message: `Root field limit of 10 exceeded, found ${2 ** 40}.`, extensions: { code: "MAX_ROOT_FIELDS_LIMIT" } });
  });

  it("an operation within the limits, fragments included, still runs", async () => {
    const result = await callFrom(clientAddress(), `{ ...F ... on Query { b: __typename } } fragment F on Query { a: __typename }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: "Query", b: "Query" });
  });
});

/** Polls `check` until it stops throwing, at most `deadlineMs`. */
async function eventually<T>(check: () => Promise<T>, deadlineMs = 10_000): Promise<T> {
  return vi.waitFor(check, { timeout: deadlineMs, interval: 20 });
}

/**
 * Another gateway on the stack's subgraphs and Redis (a key prefix of its own: fresh rate-limit
 * counters, circuits and persisted queries), with more variables in `env`; stopped when the
 * test that started it finishes.
 */
async function startGateway(env: Record<string, string> = {}) {
  const runtime = stack.gateway.runtime;
  const gatewayEnv = { ...process.env, ...stack.env, REDIS_PREFIX: `${stack.env.REDIS_PREFIX}${randomBytes(3).toString("hex")}:`, ...env };
  const logger = createLogger("gateway", "silent");
  const server = createGatewayServer({
    verifier: TokenVerifier.fromJwks(runtime.config, runtime.revocations),
    logger,
    metrics: new Registry(),
    redis: runtime.redis,
    config: readServiceConfig("gateway", { ...gatewayEnv, NODE_ENV: "development" }),
  });
  await server.start();
  onTestFinished(() => server.stop());
  const url = await listen(server.httpServer, 0, "127.0.0.1", logger);
  return { url, redisPrefix: gatewayEnv.REDIS_PREFIX };
}

type AuthStandInMode = "busy" | "throttled" | "crashing" | "answering";

/**
 * Stands in for the auth subgraph: its real SDL, served by Apollo Server, whose `login` and
 * `verifyToken` either refuse as auth does when its password-hash queue is full (503 with
 * `Retry-After`), refuse as a rate limit does (429), fail as a broken service does (500 with
 * no GraphQL body), or answer. Counts the calls it receives. Stopped when the test that
 * started it finishes.
 */
async function startAuthStandIn(initial: AuthStandInMode) {
  let mode = initial;
  let calls = 0;
  const refuse = () => {
    if (mode === "busy") {
      throw apiError("SERVICE_UNAVAILABLE", "Sign-in is busy; retry in 7 s", {
        retryAfter: 7,
        http: { status: 503, headers: new HeaderMap([["retry-after", "7"]]) },
      });
    }
    if (mode === "throttled") {
      throw apiError("TOO_MANY_REQUESTS", "Too many sign-ins; retry in 9 s", {
        retryAfter: 9,
        http: { status: 429, headers: new HeaderMap([["retry-after", "9"]]) },
      });
    }
  };
  const typeDefs = parse(readFileSync(new URL("../../subgraphs/auth/schema.graphql", import.meta.url), "utf8"));
  const resolvers = {
    Query: {
      verifyToken: () => (refuse(), { valid: false, reason: "stand-in", roles: [], scopes: [] }),
    },
    Mutation: {
      login: () => (
        refuse(),
        { accessToken: "stand-in-token", tokenType: "Bearer", expiresIn: 900, refreshToken: "stand-in-refresh", userId: "stand-in-user" }
      ),
    },
  };
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs, resolvers: resolvers as never }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const app = express();
  app.use("/graphql", (_req, res, next) => {
    calls += 1;
    if (mode === "crashing") res.status(500).type("text/plain").send("upstream exploded");
    else next();
  });
  app.use("/graphql", express.json(), expressMiddleware(apollo));
  const httpServer = createServer(app);
  onTestFinished(async () => {
    await apollo.stop();
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  });
  const url = await listen(httpServer, 0, "127.0.0.1", createLogger("auth", "silent"));
  return { url, calls: () => calls, set: (next: AuthStandInMode) => void (mode = next) };
}

describe("a subgraph's deliberate refusal is an answer, not a failure", () => {
  const LOGIN = /* GraphQL */ `mutation { login(email: "someone@example.com", password: "secret") { accessToken } }`;
  /** Few failures open the circuit, and logins are not limited per IP here. */
  const GATEWAY_ENV = { SUBGRAPH_BREAKER_FAILURES: "3", RATE_LIMIT_LOGIN: "1000" };

  it("a flood of logins refused as busy does not open the auth circuit for everyone", async () => {
    const auth = await startAuthStandIn("busy");
    const gateway = await startGateway({ ...GATEWAY_ENV, AUTH_URL: auth.url });
    for (let i = 0; i < 10; i++) {
      const result = await graphql(gateway.url, LOGIN);
      expect(result.status).toBe(503);
      expect(result.headers.get("retry-after")).toBe("7");
      expect(result.errors).toEqual([
        { message: "Sign-in is busy; retry in 7 s", path: ["login"], extensions: { code: "SERVICE_UNAVAILABLE", retryAfter: 7, serviceName: "auth" } },
      ]);
      expect(result.data).toBeNull();
    }
    // Each refusal reached auth once (never retried), and auth is still called once it has room.
    expect(auth.calls()).toBe(10);
    auth.set("answering");
    const after = await graphql(gateway.url, LOGIN);
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual({ login: { accessToken: "stand-in-token" } });
    expect(await readCounter(gateway.url, "subgraph_circuit_open")).toBe(0);
  });

  it("a refused query is not retried, and a rate limit's 429 reaches the client as 429", async () => {
    const auth = await startAuthStandIn("throttled");
    const gateway = await startGateway({ ...GATEWAY_ENV, AUTH_URL: auth.url });
    const result = await graphql(gateway.url, `{ verifyToken(token: "x") { valid } }`);
    expect(result.status).toBe(429);
    expect(result.headers.get("retry-after")).toBe("9");
    expect(result.errors).toEqual([
      { message: "Too many sign-ins; retry in 9 s", path: ["verifyToken"], extensions: { code: "TOO_MANY_REQUESTS", retryAfter: 9, serviceName: "auth" } },
    ]);
    expect(auth.calls()).toBe(1);
  });

  it("the legacy login gets the refusal as 503 with Retry-After in the REST error body", async () => {
    const auth = await startAuthStandIn("busy");
    const gateway = await startGateway({ ...GATEWAY_ENV, AUTH_URL: auth.url });
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${gateway.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "someone@example.com", password: "secret" }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("7");
      expect(await response.json()).toEqual({
        error: { code: "SERVICE_UNAVAILABLE", message: "Sign-in is busy; retry in 7 s", details: { retryAfter: 7 } },
        request_id: expect.any(String),
      });
    }
    expect(await readCounter(gateway.url, "subgraph_circuit_open")).toBe(0);
  });

  it("a subgraph that really fails still opens its circuit", async () => {
    const auth = await startAuthStandIn("crashing");
    const gateway = await startGateway({ ...GATEWAY_ENV, AUTH_URL: auth.url });
    for (let i = 0; i < 3; i++) {
      const result = await graphql(gateway.url, LOGIN);
      expect(result.errors).toEqual([
        { message: 'Subgraph "auth" is unavailable (http 5xx)', extensions: { code: "SERVICE_UNAVAILABLE", serviceName: "auth" } },
      ]);
    }
    const open = await graphql(gateway.url, LOGIN);
    expect(open.errors).toEqual([
      { message: 'Subgraph "auth" is unavailable (circuit open)', extensions: { code: "SERVICE_UNAVAILABLE", serviceName: "auth" } },
    ]);
    expect(auth.calls()).toBe(3);
    expect(await readCounter(gateway.url, "subgraph_circuit_open")).toBe(1);
  });
});

describe("persisted queries cannot fill Redis", () => {
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
  const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

  /** POSTs a GraphQL request body as it is (with APQ extensions) to `gateway`. */
  async function post(gateway: string, body: Record<string, unknown>, token?: string): Promise<GraphQLResult> {
    const response = await fetch(`${gateway}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
  }

  /**
   * The persisted queries a gateway stored in Redis, with their time to live. Read on the
   * gateway's own connection: a store Apollo started before answering is ahead of this read.
   */
  async function stored(redisPrefix: string) {
    const redis = stack.gateway.runtime.redis;
    const keys = await redis.keys(`${redisPrefix}apq:*`);
    return Promise.all(keys.map(async (key) => ({ key, ttl: await redis.ttl(key), bytes: (await redis.strlen(key)) as number })));
  }

  const NOT_FOUND = { message: "PersistedQueryNotFound", extensions: { code: "PERSISTED_QUERY_NOT_FOUND" } };

  it("an anonymous caller's query with a 900 KB comment runs but is not stored", async () => {
    const gateway = await startGateway();
    const query = `{ __typename } # ${"x".repeat(900_000)}`;
    const registered = await post(gateway.url, { query, extensions: persisted(sha256(query)) });
    expect(registered.status).toBe(200);
    expect(registered.data).toEqual({ __typename: "Query" });
    expect(await stored(gateway.redisPrefix)).toEqual([]);
    expect((await post(gateway.url, { extensions: persisted(sha256(query)) })).errors).toEqual([NOT_FOUND]);
  });

  it("an anonymous caller cannot register even a small query", async () => {
    const gateway = await startGateway();
    const query = `{ anonymous: __typename }`;
    expect((await post(gateway.url, { query, extensions: persisted(sha256(query)) })).data).toEqual({ anonymous: "Query" });
    expect(await stored(gateway.redisPrefix)).toEqual([]);
    expect((await post(gateway.url, { extensions: persisted(sha256(query)) })).errors).toEqual([NOT_FOUND]);
  });

  it("a signed-in caller's query over APQ_MAX_QUERY_BYTES runs but is not stored", async () => {
    const gateway = await startGateway({ APQ_MAX_QUERY_BYTES: "1024" });
    const token = stack.tokenFor({ id: randomUUID(), email: "apq@example.com", roles: ["VIEWER"] });
    const query = `{ __typename } # ${"x".repeat(1_100)}`;
    const registered = await post(gateway.url, { query, extensions: persisted(sha256(query)) }, token);
    expect(registered.data).toEqual({ __typename: "Query" });
    expect(await stored(gateway.redisPrefix)).toEqual([]);
    expect((await post(gateway.url, { extensions: persisted(sha256(query)) }, token)).errors).toEqual([NOT_FOUND]);
  });

  it("a signed-in caller registers a query for a day, which anyone may then run by its hash", async () => {
    const gateway = await startGateway();
    const token = stack.tokenFor({ id: randomUUID(), email: "apq@example.com", roles: ["VIEWER"] });
    const query = `{ registered: __typename }`;
    expect((await post(gateway.url, { query, extensions: persisted(sha256(query)) }, token)).data).toEqual({ registered: "Query" });
    // Apollo stores the query after answering: wait for it to appear.
    const [entry] = await eventually(async () => {
      const entries = await stored(gateway.redisPrefix);
      expect(entries).toHaveLength(1);
      return entries;
    });
    expect(entry!.bytes).toBe(Buffer.byteLength(query));
    expect(entry!.ttl).toBeGreaterThan(0);
    expect(entry!.ttl).toBeLessThanOrEqual(86_400);
    const byHash = await post(gateway.url, { extensions: persisted(sha256(query)) });
    expect(byHash.errors).toBeUndefined();
    expect(byHash.data).toEqual({ registered: "Query" });
  });
});

describe("client mistakes are 4xx with a code, never 500", () => {
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

  /** Sends `body` as it is to the stack's gateway; CSRF prevention wants a JSON content type or a preflight header. */
  async function send(
    body: string,
    headers: Record<string, string> = { "content-type": "application/json" },
    path = "/graphql",
  ): Promise<{ status: number; headers: Headers; body: any }> {
    const response = await fetch(`${stack.gateway.url}${path}`, { method: "POST", headers: { ...clientAddress(), ...headers }, body });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  async function get(params: Record<string, string>): Promise<{ status: number; body: any }> {
    const response = await fetch(`${stack.gateway.url}/graphql?${new URLSearchParams(params)}`, {
      headers: { ...clientAddress(), "apollo-require-preflight": "1" },
    });
    return { status: response.status, body: await response.json() };
  }

  const error = (message: string, code: string, extra: Record<string, unknown> = {}) => ({ errors: [{ message, extensions: { code }, ...extra }] });

  it("two operations in one document without operationName are a 400 OPERATION_RESOLUTION_FAILURE", async () => {
    const result = await send(JSON.stringify({ query: "query A { a: __typename } query B { b: __typename }" }));
    expect(result).toMatchObject({
      status: 400,
      body: error("Must provide operation name if query contains multiple operations.", "OPERATION_RESOLUTION_FAILURE"),
    });
  });

  it("an operationName the document does not hold is a 400 OPERATION_RESOLUTION_FAILURE", async () => {
    const unknown = await send(JSON.stringify({ query: "query A { __typename }", operationName: "Missing" }));
    expect(unknown).toMatchObject({ status: 400, body: error('Unknown operation named "Missing".', "OPERATION_RESOLUTION_FAILURE") });
    const fragment = await get({ query: "query A { ...F } fragment F on Query { __typename }", operationName: "F" });
    expect(fragment).toEqual({ status: 400, body: error('Unknown operation named "F".', "OPERATION_RESOLUTION_FAILURE") });
  });

  it("an APQ hash that does not match its query is a 400 PERSISTED_QUERY_HASH_MISMATCH, by POST or GET", async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256("{ something { else } }") } };
    const posted = await send(JSON.stringify({ query: "{ __typename }", extensions }));
    expect(posted).toMatchObject({ status: 400, body: error("The query does not match persistedQuery.sha256Hash.", "PERSISTED_QUERY_HASH_MISMATCH") });
    const fetched = await get({ query: "{ __typename }", extensions: JSON.stringify(extensions) });
    expect(fetched).toEqual({ status: 400, body: error("The query does not match persistedQuery.sha256Hash.", "PERSISTED_QUERY_HASH_MISMATCH") });
  });

  it("a subscription sent over HTTP is a 400 BAD_REQUEST pointing at WebSocket", async () => {
    const token = stack.tokenFor({ id: randomUUID(), email: "viewer@example.com", roles: ["VIEWER"] });
    const result = await send(JSON.stringify({ query: "subscription { batchCreated { id } }" }), {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
    });
    expect(result).toMatchObject({
      status: 400,
      body: error("Subscriptions are served over WebSocket (graphql-ws) on /graphql, not over HTTP.", "BAD_REQUEST"),
    });
  });

  it("a malformed DateTime, which only the subgraph can check, is its 400 with its code, not an internal error", async () => {
    const token = stack.tokenFor({ id: randomUUID(), email: "viewer@example.com", roles: ["VIEWER"] });
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    const literal = await send(JSON.stringify({ query: `{ productionMetrics(from: "yesterday", to: "2026-01-01T00:00:00Z") { __typename } }` }), headers);
    expect(literal.status).toBe(400);
    expect(literal.body).toEqual({
      data: null,
      errors: [{ message: expect.stringContaining('"yesterday"'), extensions: { code: "GRAPHQL_VALIDATION_FAILED", serviceName: "production" } }],
    });
    const variables = { from: "yesterday", to: "2026-01-01T00:00:00Z" };
    const query = "query($from: DateTime!, $to: DateTime!) { productionMetrics(from: $from, to: $to) { __typename } }";
    const variable = await send(JSON.stringify({ query, variables }), headers);
    expect(variable.status).toBe(400);
    expect(variable.body).toEqual({
      data: null,
      errors: [{ message: expect.stringContaining('"yesterday"'), extensions: { code: "BAD_USER_INPUT", serviceName: "production" } }],
    });
  });

  it.each([
    [
      "an unsupported persisted query version",
      { version: 2, sha256Hash: sha256("{ __typename }") },
      "Unsupported persisted query version; only version 1 is supported.",
    ],
    ["a persistedQuery that is not an object", "yes", "Unsupported persisted query version; only version 1 is supported."],
    ["a sha256Hash that is not a SHA-256", { version: 1, sha256Hash: "x".repeat(10_000) }, "persistedQuery.sha256Hash must be 64 hexadecimal characters."],
    ["a sha256Hash that is not a string", { version: 1, sha256Hash: 42 }, "persistedQuery.sha256Hash must be 64 hexadecimal characters."],
  ])("%s is a 400 BAD_REQUEST", async (_name, persistedQuery, message) => {
    const result = await send(JSON.stringify({ extensions: { persistedQuery } }));
    expect(result).toMatchObject({ status: 400, body: error(message, "BAD_REQUEST") });
  });

  it.each([
    [
      "a charset body-parser cannot read",
      415,
      '{"query":"{ __typename }"}',
      { "content-type": "application/json; charset=latin1" },
      'unsupported charset "LATIN1"',
    ],
    [
      "a content encoding it does not know",
      415,
      '{"query":"{ __typename }"}',
      { "content-type": "application/json", "content-encoding": "zstd-ish" },
      'unsupported content encoding "zstd-ish"',
    ],
    ["a gzip body that is not gzip", 400, "not gzip at all", { "content-type": "application/json", "content-encoding": "gzip" }, "incorrect header check"],
  ])("a body in %s is a %i BAD_REQUEST", async (_name, status, body, headers, message) => {
    const result = await send(body, headers);
    expect(result).toMatchObject({ status, body: error(message, "BAD_REQUEST") });
  });

  it.each([
    ["a charset body-parser cannot read", { "content-type": "application/json; charset=latin1" }, '{"email":"a@example.com"}', 'unsupported charset "LATIN1"'],
    ["a gzip body that is not gzip", { "content-type": "application/json", "content-encoding": "gzip" }, "not gzip at all", "incorrect header check"],
  ])("the legacy login answers a body in %s with 400 BAD_REQUEST", async (_name, headers, body, message) => {
    const result = await send(body, headers, "/api/auth/login");
    expect(result).toMatchObject({ status: 400, body: { error: { code: "BAD_REQUEST", message }, request_id: expect.any(String) } });
  });

  const notGraphqlRequests = {
    "malformed JSON": "{",
    "a JSON body that is not an object": '"{ __typename }"',
    "a JSON array (a batch)": '[{"query":"{ __typename }"}]',
    "an empty object": "{}",
    "a query that is not a string": '{"query":5}',
    "extensions that are not an object": '{"query":"{ __typename }","extensions":"{}"}',
    "variables that are not an object": '{"query":"{ __typename }","variables":[1]}',
    "an operationName that is not a string": '{"query":"{ __typename }","operationName":5}',
  };
  it.each(Object.entries(notGraphqlRequests))("a POST with %s is 400 BAD_REQUEST", async (_name, body) => {
    const result = await send(body);
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([expect.objectContaining({ message: expect.any(String), extensions: { code: "BAD_REQUEST" } })]);
  });

  it.each([
    ["a syntax error", '{"query":"{"}', 400, "GRAPHQL_PARSE_FAILED"],
    ["a field the schema lacks", '{"query":"{ nothing }"}', 400, "GRAPHQL_VALIDATION_FAILED"],
    ["a variable of the wrong type", '{"query":"query($id: ID!) { batch(id: $id) { id } }","variables":{"id":{"a":1}}}', 400, "BAD_USER_INPUT"],
    ["a required variable missing", '{"query":"query($id: ID!) { batch(id: $id) { id } }"}', 400, "BAD_USER_INPUT"],
    ["variables over the body limit", JSON.stringify({ query: "{ __typename }", variables: { a: "x".repeat(1_100_000) } }), 413, "PAYLOAD_TOO_LARGE"],
  ])("a POST with %s is a 4xx with a code", async (_name, body, status, code) => {
    const result = await send(body);
    expect(result.status).toBe(status);
    expect(result.body.errors).toEqual([expect.objectContaining({ message: expect.any(String), extensions: { code } })]);
  });

  it.each([
    ["no query", {}, 400, "BAD_REQUEST"],
    ["variables that are not JSON", { query: "{ __typename }", variables: "{" }, 400, "BAD_REQUEST"],
    ["extensions that are not an object", { query: "{ __typename }", extensions: '"x"' }, 400, "BAD_REQUEST"],
    ["extensions that are not JSON", { query: "{ __typename }", extensions: "{" }, 400, "BAD_REQUEST"],
    ["a mutation", { query: "mutation { logout }" }, 405, "BAD_REQUEST"],
  ])("a GET with %s is a 4xx with a code", async (_name, params, status, code) => {
    const result = await get(params as Record<string, string>);
    expect(result.status).toBe(status);
    expect(result.body.errors).toEqual([expect.objectContaining({ message: expect.any(String), extensions: { code } })]);
  });
});
