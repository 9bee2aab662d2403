import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "#lib/logger.js";
import { graphql } from "../../../test/support/graphql.js";
import { ServiceUnavailableError } from "#lib/graphql/serviceCall.js";
import { createAuthClient } from "../src/authClient.js";
import { startFakeAuth } from "../../../test/support/fakeAuth.js";
import { useUserSubgraph } from "./fixture.js";
import { insertUser, uniqueTag } from "./userServer.js";

// A stand-in for auth, so that each way a call to auth can fail is chosen by the test.
const t = useUserSubgraph(startFakeAuth);

afterEach(() => {
  t.auth.calls.length = 0;
  t.auth.answer = undefined;
  t.auth.failure = undefined;
});

const CREATE = /* GraphQL */ `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const UPDATE = /* GraphQL */ `mutation ($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }`;
const DELETE = /* GraphQL */ `mutation ($id: ID!) { deleteUser(id: $id) { id } }`;
const newEmail = () => `new.${uniqueTag()}@example.com`;
const create = (email: string) => t.server.call(CREATE, { input: { email, name: "N", password: "long enough password" } }, t.adminToken);
const rowOf = (email: string) => t.server.runtime.prisma.user.findUnique({ where: { email } });

describe("calls to auth", () => {
  it("forward the caller's token and request id", async () => {
    const email = newEmail();
    const result = await graphql(t.server.url, CREATE, { input: { email, name: "N", password: "pw-1234567890" } }, t.adminToken, {
      "x-request-id": "req-forwarded-1",
    });
    expect(result.errors).toBeUndefined();
    const { id } = (await rowOf(email))!;
    expect(t.auth.calls).toEqual([
      {
        headers: expect.objectContaining({ authorization: `Bearer ${t.adminToken}`, "x-request-id": "req-forwarded-1" }),
        query: expect.stringContaining("setPassword(userId: $userId, password: $password)"),
        variables: { userId: id, password: "pw-1234567890" },
      },
    ]);
  });

  it("createUser with auth down: SERVICE_UNAVAILABLE and no user left", async () => {
    t.auth.failure = "reset";
    const email = newEmail();
    const result = await create(email);
    expect(result.errors).toEqual([
      {
        message: "The auth service is unavailable; the user was not created",
        locations: [{ line: 1, column: 39 }],
        path: ["createUser"],
        extensions: { code: "SERVICE_UNAVAILABLE" },
      },
    ]);
    expect(await rowOf(email)).toBeNull();
  });

  it("createUser with auth failing inside: SERVICE_UNAVAILABLE, not auth's internals, and no user left", async () => {
    const internal = { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
    t.auth.answer = () => ({ data: null, errors: [internal] });
    const email = newEmail();
    expect((await create(email)).errors?.[0]?.extensions).toEqual({ code: "SERVICE_UNAVAILABLE" });
    expect(await rowOf(email)).toBeNull();
  });

  it("createUser refused by auth (FORBIDDEN): passed on as it is, and no user left", async () => {
    const forbidden = { message: "Mutation.setPassword requires scope auth:admin", extensions: { code: "FORBIDDEN" } };
    t.auth.answer = () => ({ errors: [forbidden] });
    const email = newEmail();
    expect((await create(email)).errors?.[0]).toMatchObject({
      message: "Mutation.setPassword requires scope auth:admin",
      extensions: { code: "FORBIDDEN" },
    });
    expect(await rowOf(email)).toBeNull();
  });

  it("deleteUser calls revokeUserSessions before and after deactivating, and with auth down changes nothing", async () => {
    const user = await insertUser(t.server.runtime, { email: newEmail() });
    t.auth.failure = "reset";
    const refused = await t.server.call(DELETE, { id: user.id }, t.adminToken);
    expect(refused.errors?.[0]).toMatchObject({
      message: "The auth service is unavailable; the user was not deleted",
      extensions: { code: "SERVICE_UNAVAILABLE" },
    });
    expect(await rowOf(user.email)).toMatchObject({ active: true });
    t.auth.failure = undefined;
    expect((await t.server.call(DELETE, { id: user.id }, t.adminToken)).errors).toBeUndefined();
    expect(t.auth.calls.map((c) => c.variables)).toEqual([{ userId: user.id }, { userId: user.id }]);
    for (const call of t.auth.calls) expect(call.query).toContain("revokeUserSessions(userId: $userId)");
    expect(await rowOf(user.email)).toMatchObject({ active: false });
  });

  it("a role change whose second revocation fails still stands: earlier tokens were revoked before it", async () => {
    const user = await insertUser(t.server.runtime, { email: newEmail(), roles: ["QA"] });
    const internal = { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
    t.auth.answer = () => (t.auth.calls.length === 1 ? { data: { revokeUserSessions: true } } : { data: null, errors: [internal] });
    const result = await t.server.call(UPDATE, { id: user.id, input: { roles: ["VIEWER"] } }, t.adminToken);
    expect(result.errors).toBeUndefined();
    expect(t.auth.calls).toHaveLength(2);
    expect(await rowOf(user.email)).toMatchObject({ roles: ["VIEWER"] });
  });

  it("updateUser asks auth only when roles change or the user is deactivated", async () => {
    const user = await insertUser(t.server.runtime, { email: newEmail(), roles: ["QA"] });
    await t.server.call(UPDATE, { id: user.id, input: { name: "Other", roles: ["QA"] } }, t.adminToken);
    expect(t.auth.calls).toHaveLength(0);
    t.auth.failure = "reset";
    const refused = await t.server.call(UPDATE, { id: user.id, input: { active: false } }, t.adminToken);
    expect(refused.errors?.[0]?.message).toBe("The auth service is unavailable; the user was not changed");
    expect(await rowOf(user.email)).toMatchObject({ active: true });
  });

  it("give up after the timeout when auth does not answer", async () => {
    t.auth.failure = "hang";
    const client = createAuthClient({
      authUrl: t.auth.url,
      authorization: `Bearer ${t.adminToken}`,
      requestId: "req-timeout-1",
      logger: createLogger("user", "silent"),
      timeoutMs: 200,
    });
    // Auth never answers: without the timeout this would hang until the test's own limit.
    await expect(client.revokeUserSessions(t.admin.id)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
