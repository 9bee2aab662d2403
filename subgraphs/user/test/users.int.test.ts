import { beforeAll, describe, expect, it } from "vitest";
import { readCounter } from "../../../test/support/graphql.js";
import { startFakeAuth } from "../../../test/support/fakeAuth.js";
import { useUserSubgraph } from "./fixture.js";
import { insertUser, uniqueTag } from "./userServer.js";

const t = useUserSubgraph(startFakeAuth);
let token: string;
// Every row of this file carries the tag, so `search: tag` sees these rows and no others.
const tag = uniqueTag();
const email = (local: string) => `${local}.${tag}@example.com`;

beforeAll(async () => {
  const reader = await insertUser(t.server.runtime, { email: email("reader"), roles: ["VIEWER"] });
  token = t.server.tokenFor(reader);
  await insertUser(t.server.runtime, { email: email("anna"), name: "Anna Zedník", roles: ["QA"] });
  await insertUser(t.server.runtime, { email: email("boris"), roles: ["PRODUCTION", "QA"], active: false });
  await insertUser(t.server.runtime, { email: email("carla"), roles: ["ADMIN"] });
  await insertUser(t.server.runtime, { email: email("dmitri"), roles: ["PRODUCTION"] });
});

const USERS = /* GraphQL */ `
  query ($search: String, $role: Role, $active: Boolean, $first: Int, $after: String) {
    users(search: $search, role: $role, active: $active, first: $first, after: $after) {
      edges { cursor node { email } }
      nodes { email }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
`;

const users = (variables: Record<string, unknown>) => t.server.call(USERS, { search: tag, ...variables }, token);
const emailsOf = (result: Awaited<ReturnType<typeof users>>) => result.data?.users.nodes.map((n: { email: string }) => n.email);

describe("users filters", () => {
  it("lists every match ordered by email", async () => {
    const result = await users({});
    expect(result.errors).toBeUndefined();
    expect(emailsOf(result)).toEqual(["anna", "boris", "carla", "dmitri", "reader"].map(email));
    expect(result.data?.users.totalCount).toBe(5);
  });

  it("searches email and name, ignoring case", async () => {
    expect(emailsOf(await users({ search: `BORIS.${tag.toUpperCase()}` }))).toEqual([email("boris")]);
    expect(emailsOf(await users({ search: "zEDn" }))).toEqual([email("anna")]);
  });

  it("takes % and _ in a search literally, not as wildcards", async () => {
    expect(emailsOf(await users({ search: "a_na" }))).toEqual([]);
    expect(emailsOf(await users({ search: `anna%${tag}` }))).toEqual([]);
  });

  it("filters by role and by active, combined with the search", async () => {
    expect(emailsOf(await users({ role: "QA" }))).toEqual([email("anna"), email("boris")]);
    expect(emailsOf(await users({ role: "QA", active: true }))).toEqual([email("anna")]);
    expect(emailsOf(await users({ active: false }))).toEqual([email("boris")]);
  });
});

describe("users pagination", () => {
  it("walks every page with the end cursor, totalCount counting all of them", async () => {
    const pages: string[][] = [];
    let after: string | null = null;
    for (let hasNext = true; hasNext;) {
      const result = await users({ first: 2, after });
      expect(result.errors).toBeUndefined();
      const { edges, pageInfo, totalCount } = result.data!.users;
      expect(totalCount).toBe(5);
      expect(pageInfo.endCursor).toBe(edges.at(-1).cursor);
      pages.push(emailsOf(result));
      ({ hasNextPage: hasNext, endCursor: after } = pageInfo);
    }
    expect(pages).toEqual([["anna", "boris"], ["carla", "dmitri"], ["reader"]].map((page) => page.map(email)));
  });

  it("answers first: 0 with no users, whether more follow and the count", async () => {
    const result = await users({ first: 0 });
    expect(result.data?.users).toEqual({ edges: [], nodes: [], pageInfo: { hasNextPage: true, endCursor: null }, totalCount: 5 });
  });

  it("costs one query and one count, and no count when totalCount is not asked for", async () => {
    const statements = async (query: string) => {
      const before = await readCounter(t.server.url, "db_queries_total");
      expect((await t.server.call(query, { search: tag }, token)).errors).toBeUndefined();
      return (await readCounter(t.server.url, "db_queries_total")) - before;
    };
    expect(await statements(USERS)).toBe(2);
    expect(await statements(`query($search: String) { users(search: $search) { nodes { id } } }`)).toBe(1);
    const viaFragment = `query($search: String) { users(search: $search) { ...Count } } fragment Count on UserConnection { totalCount }`;
    expect(await statements(viaFragment)).toBe(2);
  });

  it("refuses a page larger than 100 or negative", async () => {
    for (const first of [101, -1]) {
      const result = await users({ first });
      expect(result.errors).toEqual([
        {
          message: `first must be between 0 and 100, got ${first}`,
          locations: [{ line: 3, column: 5 }],
          path: ["users"],
          extensions: { code: "BAD_USER_INPUT", field: "first" },
        },
      ]);
    }
  });

  it("refuses a cursor it did not issue", async () => {
    for (const after of ["garbage", Buffer.from("[1]").toString("base64url"), ""]) {
      const result = await users({ after });
      expect(result.errors?.[0]).toMatchObject({
        message: "after is not a cursor returned by this API",
        extensions: { code: "BAD_USER_INPUT", field: "after" },
      });
    }
  });
});
