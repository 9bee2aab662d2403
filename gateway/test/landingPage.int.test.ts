import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { graphql } from "../../test/support/graphql.js";
import { startInProcessGateway, type InProcessGateway } from "../../test/support/inProcessStack.js";

/** Apollo Sandbox and introspection in development; neither in production. */
let development: InProcessGateway;
let production: InProcessGateway;

beforeAll(async () => {
  const env = { REDIS_PREFIX: `${inject("redisPrefix")}landing:` };
  [development, production] = await Promise.all([
    startInProcessGateway({ ...env, NODE_ENV: "development" }),
    startInProcessGateway({ ...env, NODE_ENV: "production" }),
  ]);
});

afterAll(async () => {
  await Promise.all([development?.stop(), production?.stop()]);
});

const browse = (url: string) => fetch(`${url}/graphql`, { headers: { accept: "text/html" } });
const INTROSPECT = `{ __schema { queryType { name } } }`;

it("serves Apollo Sandbox and answers introspection in development", async () => {
  const page = await browse(development.url);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  expect(await page.text()).toContain("embeddable-sandbox");
  expect((await graphql(development.url, INTROSPECT)).data).toEqual({ __schema: { queryType: { name: "Query" } } });
});

it("serves no landing page and refuses introspection in production", async () => {
  const page = await browse(production.url);
  const body = await page.text();
  // A GET without a query is a client error, answered as such: no page, and no server error.
  expect(page.status).toBe(400);
  expect(body).not.toContain("sandbox");
  const introspection = await graphql(production.url, INTROSPECT);
  expect(introspection.status).toBe(400);
  expect(introspection.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
});
