import { afterAll, beforeAll, expect, it } from "vitest";
import { inject } from "vitest";
import { graphql } from "../../test/support/graphql.js";
import { startService, type RunningService } from "../../test/support/services.js";

/** Apollo Sandbox and introspection in development; neither in production. */
let development: RunningService;
let production: RunningService;

beforeAll(async () => {
  const env = { REDIS_PREFIX: `${inject("redisPrefix")}landing:` };
  [development, production] = await Promise.all([
    startService("gateway", { ...env, NODE_ENV: "development" }),
    startService("gateway", { ...env, NODE_ENV: "production" }),
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
  expect(await page.text()).toContain("embeddable-sandbox");
  expect((await graphql(development.url, INTROSPECT)).data).toEqual({ __schema: { queryType: { name: "Query" } } });
});

it("serves no landing page and refuses introspection in production", async () => {
  const page = await browse(production.url);
  expect(await page.text()).not.toContain("sandbox");
  const introspection = await graphql(production.url, INTROSPECT);
  expect(introspection.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
});

it("stops cleanly on Ctrl-C (SIGINT) and on SIGTERM", async () => {
  const exited = new Promise<number | null>((resolve) => development.process.once("close", resolve));
  development.process.kill("SIGINT");
  expect(await exited).toBe(0);
  expect(await production.stop()).toBe(0);
  expect(production.logs.at(-1)).toMatchObject({ msg: "stopped" });
});
