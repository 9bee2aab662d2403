import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { graphql, readCounter, type GraphQLResult } from "../../test/support/graphql.js";
import { startInProcessGateway, startInProcessStack, type InProcessGateway, type InProcessStack, type TestAccount } from "../../test/support/inProcessStack.js";

/** Low limits so the test reaches them; every gateway instance reads the same. */
const LIMITS = { RATE_LIMIT_ANONYMOUS: "8", RATE_LIMIT_LOGIN: "2", RATE_LIMIT_USER: "5", RATE_LIMIT_WINDOW: "60" };

let stack: InProcessStack;
let viewer: TestAccount;
let instances: InProcessGateway[];
let gateways: string[];

beforeAll(async () => {
  stack = await startInProcessStack({ events: false, env: LIMITS });
  viewer = await stack.createUser({ roles: ["VIEWER"] });
});

// Two gateway instances sharing counters of their own: every test starts with full allowances.
beforeEach(async () => {
  const env = { ...stack.env, REDIS_PREFIX: `${stack.env.REDIS_PREFIX}${randomBytes(3).toString("hex")}:` };
  instances = await Promise.all([startInProcessGateway(env), startInProcessGateway(env)]);
  gateways = instances.map((g) => g.url);
  // Until its Redis connection is up, a gateway counts in its own memory (the fallback while Redis
  // is away): the shared counts start once both are connected.
  await vi.waitFor(() => expect(instances.map((g) => g.runtime.redis.status)).toEqual(["ready", "ready"]), { timeout: 10_000 });
});

afterEach(async () => {
  await Promise.all(instances.map((g) => g.stop()));
});

afterAll(async () => {
  await stack?.stop();
});

const LOGIN = /* GraphQL */ `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const credentials = () => ({ email: viewer.email, password: viewer.password });

/** The refusal every limiter answers with, GraphQL or REST. */
function expectRefused(result: { status: number; headers: Headers; errors?: GraphQLResult["errors"] }) {
  expect(result.status).toBe(429);
  expect(Number(result.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(Number(result.headers.get("retry-after"))).toBeLessThanOrEqual(60);
  expect(result.headers.get("ratelimit-remaining")).toBe("0");
  expect(result.errors).toEqual([{ message: "Too many requests, retry later", extensions: { code: "TOO_MANY_REQUESTS", retryAfter: expect.any(Number) } }]);
}

/** The same refusal on a legacy endpoint: the REST error body. */
async function expectRestRefused(response: Response) {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(await response.json()).toEqual({
    error: { code: "TOO_MANY_REQUESTS", message: "Too many requests, retry later", details: { retryAfter: expect.any(Number) } },
    request_id: expect.any(String),
  });
}

describe("rate limiting shared by two gateway instances", () => {
  it("limits logins per IP more strictly, counted across instances", async () => {
    const first = await graphql(gateways[0]!, LOGIN, credentials());
    expect(first.errors).toBeUndefined();
    expect(first.headers.get("ratelimit-policy")).toBe("2;w=60");
    expect(first.headers.get("ratelimit-remaining")).toBe("1");
    expect((await graphql(gateways[1]!, LOGIN, credentials())).errors).toBeUndefined();
    expectRefused(await graphql(gateways[0]!, LOGIN, credentials()));
    // The legacy login shares the limit and answers with the legacy error body.
    await expectRestRefused(
      await fetch(`${gateways[1]}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(credentials()),
      }),
    );
  });

  it("limits each user, counted across instances, apart from anonymous calls", async () => {
    const token = stack.tokenFor(viewer);
    for (let i = 0; i < 5; i++) {
      const result = await graphql(gateways[i % 2]!, `{ me { id } }`, {}, token);
      expect(result.errors).toBeUndefined();
      expect(result.headers.get("ratelimit-remaining")).toBe(String(4 - i));
    }
    expectRefused(await graphql(gateways[1]!, `{ me { id } }`, {}, token));
    // Anonymous calls have an allowance of their own.
    expect((await graphql(gateways[0]!, `{ __typename }`)).headers.get("ratelimit-remaining")).toBe("7");
  });

  it("limits anonymous calls per IP, on /graphql and /api/* alike, and counts the refusals", async () => {
    for (let i = 0; i < 8; i++) {
      const result = await graphql(gateways[i % 2]!, `{ __typename }`);
      expect(result.status).toBe(200);
      expect(result.headers.get("ratelimit-remaining")).toBe(String(7 - i));
    }
    expectRefused(await graphql(gateways[0]!, `{ __typename }`));
    await expectRestRefused(await fetch(`${gateways[1]}/api/users`));
    const rejections = (await Promise.all(gateways.map((g) => readCounter(g, "rate_limit_rejections_total")))).reduce((a, b) => a + b);
    expect(rejections).toBe(2);
  });
});
