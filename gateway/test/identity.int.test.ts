import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "#lib/prisma.js";
import { graphql, readCounter } from "../../test/support/graphql.js";
import { startInProcessStack, type InProcessStack } from "../../test/support/inProcessStack.js";
import { forgedTokens } from "./forgedTokens.js";
import { login as signIn } from "../../test/support/login.js";

const ME = /* GraphQL */ `query { me { id email name roles } }`;
const CREATE_USER = /* GraphQL */ `
  mutation Create($input: CreateUserInput!) { createUser(input: $input) { id email name roles active } }
`;

const unique = (name: string) => `${name}-${randomBytes(4).toString("hex")}@example.com`;

let stack: InProcessStack;
let gateway: string;

const login = (email: string, password: string) => signIn(gateway, email, password);

beforeAll(async () => {
  stack = await startInProcessStack({ events: false });
  gateway = stack.gateway.url;
  // The seed `npm start` runs: the admin and the demo users.
  await stack.seed();
});

afterAll(async () => {
  await stack?.stop();
});

describe("identity through the gateway", () => {
  it("logs the seeded admin in and answers me", async () => {
    const token = await login("admin@example.com", "admin-password");
    const me = await graphql(gateway, ME, {}, token);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({ id: expect.any(String), email: "admin@example.com", name: expect.any(String), roles: ["ADMIN"] });
  });

  it("creates a user with a password, who can then log in with it", async () => {
    const admin = await login("admin@example.com", "admin-password");
    const email = unique("operator");
    const created = await graphql(
      gateway,
      CREATE_USER,
      {
        input: { email, name: "Line Operator", roles: ["PRODUCTION"], password: "a-long-enough-password" },
      },
      admin,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createUser).toEqual({ id: expect.any(String), email, name: "Line Operator", roles: ["PRODUCTION"], active: true });

    const token = await login(email, "a-long-enough-password");
    const me = await graphql(gateway, ME, {}, token);
    expect(me.data!.me).toMatchObject({ id: created.data!.createUser.id, email, roles: ["PRODUCTION"] });
  });

  it("refuses createUser to a VIEWER with FORBIDDEN", async () => {
    const viewer = await login("viewer@example.com", "demo-password");
    const result = await graphql(
      gateway,
      CREATE_USER,
      {
        input: { email: unique("nobody"), name: "Nobody", roles: ["ADMIN"], password: "a-long-enough-password" },
      },
      viewer,
    );
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      {
        message: "Mutation.createUser requires scope users:write",
        path: ["createUser"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["users:write"]], serviceName: "user" },
      },
    ]);
  });

  it("answers UNAUTHENTICATED without a token", async () => {
    const result = await graphql(gateway, ME);
    expect(result.errors).toEqual([{ message: "Sign in to read Query.me", path: ["me"], extensions: { code: "UNAUTHENTICATED", serviceName: "user" } }]);
  });

  it("refuses an access token at the next request once it is logged out", async () => {
    const token = await login("qa@example.com", "demo-password");
    expect((await graphql(gateway, ME, {}, token)).data!.me.email).toBe("qa@example.com");
    const logout = await graphql(gateway, `mutation { logout }`, {}, token);
    expect(logout.data).toEqual({ logout: true });

    const after = await graphql(gateway, ME, {}, token);
    expect(after.status).toBe(401);
    expect(after.errors).toEqual([{ message: "Invalid token: token revoked", extensions: { code: "UNAUTHENTICATED" } }]);
  });
});

describe("forged and broken tokens", () => {
  it("refuses each with 401 UNAUTHENTICATED and goes on serving", async () => {
    const admin = await login("admin@example.com", "admin-password");
    const adminId = (await graphql(gateway, ME, {}, admin)).data!.me.id;
    const forged = forgedTokens(stack.privateKey, { sub: adminId, iss: "batch-supergraph-auth", aud: "batch-supergraph" });
    for (const [attack, token] of Object.entries(forged)) {
      const result = await graphql(gateway, ME, {}, token);
      expect({ attack, status: result.status, code: result.errors?.[0]?.extensions?.code, data: result.data }).toEqual({
        attack,
        status: 401,
        code: "UNAUTHENTICATED",
        data: undefined,
      });
      // The subgraph, reached directly, refuses the same token.
      const direct = await graphql(stack.user.url, ME, {}, token);
      expect({ attack, status: direct.status }).toEqual({ attack, status: 401 });
    }
    expect((await graphql(gateway, ME, {}, admin)).data!.me.id).toBe(adminId);
  });

  it("gives nothing protected to a caller of the user subgraph without a token", async () => {
    const result = await graphql(stack.user.url, `{ users(first: 5) { totalCount } }`);
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("query budget", () => {
  it("reads a page of users in the same number of SQL statements whatever its size", async () => {
    const admin = await login("admin@example.com", "admin-password");
    // Rows straight into the run's database: the budget is about reading, and 50 sagas would
    // mostly measure scrypt.
    const prisma = createPrismaClient(stack.env.DATABASE_URL!);
    await prisma.user.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({ email: unique(`bulk${i}`), name: `Bulk ${i}`, roles: ["VIEWER" as const] })),
    });
    await prisma.$disconnect();

    const statementsFor = async (first: number) => {
      const before = await readCounter(stack.user.url, "db_queries_total");
      const page = await graphql(gateway, `query($first: Int) { users(first: $first) { totalCount nodes { id email name roles active } } }`, { first }, admin);
      expect(page.errors).toBeUndefined();
      expect(page.data!.users.nodes).toHaveLength(first);
      return (await readCounter(stack.user.url, "db_queries_total")) - before;
    };
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(2);
  });
});
