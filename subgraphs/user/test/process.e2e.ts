import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { signAccessToken } from "#lib/auth/tokens.js";
import { readServiceConfig } from "#lib/config.js";
import { createPrismaClient } from "#lib/prisma.js";
import { graphql } from "../../../test/support/graphql.js";
import { startService, type RunningService } from "../../../test/support/services.js";
import { startFakeAuth, type FakeAuth } from "../../../test/support/fakeAuth.js";
import { newRedisPrefix, uniqueTag } from "./userServer.js";

// `npm start`'s way: `src/index.ts` as a process of its own, configured by the environment.
let auth: FakeAuth;
let user: RunningService;
const prisma = createPrismaClient(inject("databaseUrl"));

beforeAll(async () => {
  auth = await startFakeAuth();
  user = await startService("user", { DATABASE_URL: inject("databaseUrl"), REDIS_PREFIX: newRedisPrefix(), AUTH_URL: auth.url });
});

afterAll(async () => {
  await user?.stop();
  await auth?.stop();
  await prisma.$disconnect();
});

it("serves /health and answers a signed-in caller", async () => {
  expect(await (await fetch(`${user.url}/health`)).json()).toEqual({ status: "ok", service: "user" });
  const me = await prisma.user.create({ data: { email: `process.${uniqueTag()}@example.com`, name: "Process", roles: ["QA"] } });
  const { issuer, audience } = readServiceConfig("user");
  const token = signAccessToken(me, { privateKey: auth.privateKey, kid: auth.kid, issuer, audience, ttlSeconds: 60 });
  const result = await graphql(user.url, `{ me { email roles } }`, {}, token);
  expect(result).toMatchObject({ status: 200, data: { me: { email: me.email, roles: ["QA"] } } });
});
