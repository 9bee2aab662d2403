import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cloneTestDatabase } from "./support/database.js";
import { graphql } from "./support/graphql.js";
import { startInProcessStack, type InProcessStack } from "./support/inProcessStack.js";

/**
 * Two test runs at once on the same PostgreSQL and Redis: each gets its own database and key
 * prefix from the harness, so neither sees the other's users, sessions or revocations.
 */
let other: Awaited<ReturnType<typeof cloneTestDatabase>>;
const stacks: InProcessStack[] = [];

beforeAll(async () => {
  other = await cloneTestDatabase();
  const [a, b] = await Promise.all([startInProcessStack({ events: false }), startInProcessStack({ events: false, databaseUrl: other.url })]);
  stacks.push(a!, b!);
  for (const stack of stacks) await stack.seed();
});

afterAll(async () => {
  await Promise.all(stacks.map((s) => s.stop()));
  await other?.drop();
});

const adminToken = (stack: InProcessStack) => stack.login({ email: "admin@example.com", password: "admin-password" });

it("keeps the data of two runs apart", async () => {
  const [a, b] = stacks as [InProcessStack, InProcessStack];
  const email = `isolated-${randomBytes(4).toString("hex")}@example.com`;
  const create = `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`;
  const input = { email, name: "Isolated", roles: ["VIEWER"], password: "a-long-enough-password" };
  const find = `query($search: String) { users(search: $search) { totalCount } }`;

  const [tokenA, tokenB] = await Promise.all([adminToken(a), adminToken(b)]);
  expect((await graphql(a.gateway.url, create, { input }, tokenA)).errors).toBeUndefined();
  expect((await graphql(a.gateway.url, find, { search: email }, tokenA)).data!.users.totalCount).toBe(1);
  expect((await graphql(b.gateway.url, find, { search: email }, tokenB)).data!.users.totalCount).toBe(0);
  // The same email is free in the other run.
  expect((await graphql(b.gateway.url, create, { input }, tokenB)).errors).toBeUndefined();

  // A logout in one run revokes nothing in the other, and its tokens are not accepted there.
  await graphql(a.gateway.url, `mutation { logout }`, {}, tokenA);
  expect((await graphql(a.gateway.url, find, { search: email }, tokenA)).status).toBe(401);
  expect((await graphql(b.gateway.url, find, { search: email }, tokenB)).data!.users.totalCount).toBe(1);
  expect((await graphql(b.gateway.url, find, { search: email }, tokenA)).status).toBe(401);
});
