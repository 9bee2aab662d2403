import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { User } from "../../../generated/prisma/client.js";
import { readCounter, type GraphQLResult } from "../../../test/support/graphql.js";
import { startFakeAuth } from "../../../test/support/fakeAuth.js";
import { useUserSubgraph } from "./fixture.js";
import { insertUser, uniqueTag } from "./userServer.js";

const t = useUserSubgraph(startFakeAuth);
let viewer: User;

beforeAll(async () => {
  viewer = await insertUser(t.server.runtime, { email: `viewer.${uniqueTag()}@example.com`, roles: ["VIEWER"] });
});

/** SQL statements the subgraph sends while `run` runs, read from its `/metrics`. */
async function statementsDuring(run: () => Promise<unknown>): Promise<number> {
  const before = await readCounter(t.server.url, "db_queries_total");
  await run();
  return (await readCounter(t.server.url, "db_queries_total")) - before;
}

describe("who may ask", () => {
  it("refuses an anonymous caller with UNAUTHENTICATED", async () => {
    const result = await t.server.call(`{ me { id } }`);
    expect(result.errors).toEqual([
      {
        message: "Sign in to read Query.me",
        locations: [{ line: 1, column: 3 }],
        path: ["me"],
        extensions: { code: "UNAUTHENTICATED" },
      },
    ]);
    expect(result.data).toEqual({ me: null });
  });

  it("refuses an invalid token with HTTP 401, never as an anonymous call", async () => {
    const result = await t.server.call(`{ me { id } }`, {}, "not.a.token");
    expect(result.status).toBe(401);
    expect(result.errors).toEqual([{ message: "Invalid token", extensions: { code: "UNAUTHENTICATED" } }]);
  });

  it("hides User fields of entity references from an anonymous caller", async () => {
    const result = await t.server.call(`query($r: [_Any!]!) { _entities(representations: $r) { ... on User { email } } }`, {
      r: [{ __typename: "User", id: t.admin.id }],
    });
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
  });
});

describe("me and user", () => {
  it("returns the signed-in user", async () => {
    const result = await t.server.call(`{ me { id email roles active createdAt } }`, {}, t.server.tokenFor(viewer));
    expect(result.errors).toBeUndefined();
    expect(result.data?.me).toEqual({
      id: viewer.id,
      email: viewer.email,
      roles: ["VIEWER"],
      active: true,
      createdAt: viewer.createdAt.toISOString(),
    });
  });

  it("finds a user by id for a reader, and nothing for an unknown or malformed id", async () => {
    const query = `query($a: ID!, $b: ID!, $c: ID!) { a: user(id: $a) { email } b: user(id: $b) { email } c: user(id: $c) { email } }`;
    const result = await t.server.call(query, { a: t.admin.id, b: randomUUID(), c: "not-a-uuid" }, t.server.tokenFor(viewer));
    expect(result).toMatchObject({ status: 200, data: { a: { email: t.admin.email }, b: null, c: null } });
    expect(result.errors).toBeUndefined();
  });
});

describe("_entities", () => {
  const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }`;

  it("resolves 50 references with one SQL statement", async () => {
    const tag = uniqueTag();
    const emails = Array.from({ length: 50 }, (_, i) => `ref${String(i).padStart(2, "0")}.${tag}@example.com`);
    await t.server.runtime.prisma.user.createMany({ data: emails.map((email) => ({ email, name: email, roles: ["VIEWER"] })) });
    const users = await t.server.runtime.prisma.user.findMany({ where: { email: { in: emails } }, orderBy: { email: "asc" } });
    const token = t.server.tokenFor(viewer);
    let result: GraphQLResult | undefined;
    const statements = await statementsDuring(async () => {
      result = await t.server.call(query, { r: users.map(({ id }) => ({ __typename: "User", id })) }, token);
    });
    expect(result?.errors).toBeUndefined();
    expect(result?.data?._entities).toEqual(users.map(({ id, email }) => ({ id, email })));
    expect(statements).toBe(1);
  });

  it("resolves a reference whose id is not a UUID to null, without error or SQL", async () => {
    let result: GraphQLResult | undefined;
    const statements = await statementsDuring(async () => {
      result = await t.server.call(query, { r: [{ __typename: "User", id: "42" }] }, t.server.tokenFor(viewer));
    });
    expect(result).toMatchObject({ status: 200, data: { _entities: [null] } });
    expect(result?.errors).toBeUndefined();
    expect(statements).toBe(0);
  });
});
