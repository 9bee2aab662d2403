import { beforeAll, describe, expect, it } from "vitest";
import type { User } from "../../../generated/prisma/client.js";
import { graphql } from "../../../test/support/graphql.js";
import { startAuthServer } from "./authServer.js";
import { useUserSubgraph } from "./fixture.js";
import { insertUser, uniqueTag } from "./userServer.js";

// The real auth subgraph: the saga's second step and its compensation run against it.
const t = useUserSubgraph(startAuthServer);
let viewer: User;

beforeAll(async () => {
  viewer = await insertUser(t.server.runtime, { email: `viewer.${uniqueTag()}@example.com`, roles: ["VIEWER"] });
});

const CREATE = /* GraphQL */ `
  mutation ($input: CreateUserInput!) {
    createUser(input: $input) { id email name roles department active }
  }
`;
const LOGIN = /* GraphQL */ `
  mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { userId } }
`;

const input = (fields: Record<string, unknown> = {}) => ({
  email: `new.${uniqueTag()}@example.com`,
  name: "New Person",
  password: "correct horse battery staple",
  ...fields,
});
const rowsWithEmail = (email: string) => t.server.runtime.prisma.user.count({ where: { email: email.toLowerCase() } });

describe("createUser", () => {
  it("is refused to a VIEWER with FORBIDDEN", async () => {
    const result = await t.server.call(CREATE, { input: input() }, t.server.tokenFor(viewer));
    expect(result.errors).toEqual([
      {
        message: "Mutation.createUser requires scope users:write",
        locations: [{ line: 3, column: 5 }],
        path: ["createUser"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["users:write"]] },
      },
    ]);
  });

  it("creates an active user whose password auth accepts at login", async () => {
    const fields = input({ email: `  Mixed.${uniqueTag()}@Example.COM `, roles: ["QA", "PRODUCTION"], department: "Quality" });
    const result = await t.server.call(CREATE, { input: fields }, t.adminToken);
    expect(result.errors).toBeUndefined();
    const email = (fields.email as string).trim().toLowerCase();
    expect(result.data?.createUser).toEqual({
      id: expect.any(String),
      email,
      name: "New Person",
      roles: ["QA", "PRODUCTION"],
      department: "Quality",
      active: true,
    });
    const login = await graphql(t.auth.url, LOGIN, { email, password: fields.password });
    expect(login.data?.login).toEqual({ userId: result.data?.createUser.id });
  });

  it("passes auth's password-policy error on and leaves no user behind", async () => {
    const fields = input({ password: "short" });
    const result = await t.server.call(CREATE, { input: fields }, t.adminToken);
    expect(result.errors).toEqual([
      {
        message: "Password must be at least 12 characters long",
        locations: [{ line: 3, column: 5 }],
        path: ["createUser"],
        extensions: { code: "BAD_USER_INPUT", field: "password" },
      },
    ]);
    expect(result.data).toBeNull();
    expect(await rowsWithEmail(fields.email as string)).toBe(0);
  });

  it("refuses an email that is taken, whatever its case, with CONFLICT", async () => {
    const result = await t.server.call(CREATE, { input: input({ email: t.admin.email.toUpperCase() }) }, t.adminToken);
    expect(result.errors?.[0]).toMatchObject({
      message: `A user with email ${t.admin.email} already exists`,
      extensions: { code: "CONFLICT", field: "email" },
    });
    expect(await rowsWithEmail(t.admin.email)).toBe(1);
  });

  it("checks the email, name and roles before anything is written", async () => {
    const cases = [
      [{ email: "not-an-email" }, "email"],
      [{ email: "two@@example.com" }, "email"],
      [{ name: "   " }, "name"],
      [{ roles: [] }, "roles"],
    ] as const;
    for (const [fields, field] of cases) {
      const result = await t.server.call(CREATE, { input: input(fields) }, t.adminToken);
      expect(result.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field });
    }
  });

  it("grants VIEWER when no roles are given", async () => {
    const result = await t.server.call(CREATE, { input: input() }, t.adminToken);
    expect(result.data?.createUser.roles).toEqual(["VIEWER"]);
  });
});
