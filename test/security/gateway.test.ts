import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, type GraphQLResult } from "../support/graphql.js";
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
    const nested = () => `mutation { ...Outer } fragment Outer on Mutation { ... on Mutation { ...Inner } } fragment Inner on Mutation { login(${loginArgs()}) { accessToken } }`;
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
