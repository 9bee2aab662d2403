import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Role } from "../../../generated/prisma/client.js";
import { startAuthServer } from "./authServer.js";
import { useUserSubgraph } from "./fixture.js";
import { insertUser, uniqueTag } from "./userServer.js";

// The real auth subgraph on the same Redis prefix: the tokens it revokes are refused here too.
const t = useUserSubgraph(startAuthServer);

const UPDATE = /* GraphQL */ `
  mutation ($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) { id email name roles department active }
  }
`;
const DELETE = /* GraphQL */ `mutation ($id: ID!) { deleteUser(id: $id) { id active } }`;

/** A user of its own with a token issued a second ago (revocation covers tokens up to now). */
async function signedInUser(roles: Role[] = ["VIEWER"], department?: string) {
  const user = await insertUser(t.server.runtime, { email: `user.${uniqueTag()}@example.com`, roles, department });
  const token = t.server.tokenFor({ ...user });
  return { user, token, tokenWorks: async () => (await t.server.call(`{ me { id } }`, {}, token)).status === 200 };
}

describe("updateUser", () => {
  it("changes the fields given, normalised, and keeps the user signed in", async () => {
    const { user, tokenWorks } = await signedInUser(["VIEWER"], "Packaging");
    const email = `Renamed.${uniqueTag()}@Example.com`;
    const input = { email, name: " Renamed ", department: null };
    const result = await t.server.call(UPDATE, { id: user.id, input }, t.adminToken);
    expect(result.errors).toBeUndefined();
    expect(result.data?.updateUser).toEqual({
      id: user.id,
      email: email.toLowerCase(),
      name: "Renamed",
      roles: ["VIEWER"],
      department: null,
      active: true,
    });
    expect(await tokenWorks()).toBe(true);
  });

  it("signs the user out everywhere when the roles change", async () => {
    const { user, tokenWorks } = await signedInUser(["VIEWER"]);
    expect(await tokenWorks()).toBe(true);
    const result = await t.server.call(UPDATE, { id: user.id, input: { roles: ["QA"] } }, t.adminToken);
    expect(result.data?.updateUser.roles).toEqual(["QA"]);
    expect(await tokenWorks()).toBe(false);
  });

  it("refuses an unknown id with NOT_FOUND and a taken email with CONFLICT", async () => {
    const missing = randomUUID();
    const unknown = await t.server.call(UPDATE, { id: missing, input: { name: "x" } }, t.adminToken);
    expect(unknown.errors?.[0]).toMatchObject({
      message: `No user with id ${missing}`,
      extensions: { code: "NOT_FOUND", id: missing },
    });
    const { user } = await signedInUser();
    const taken = await t.server.call(UPDATE, { id: user.id, input: { email: t.admin.email } }, t.adminToken);
    expect(taken.errors?.[0]).toMatchObject({ extensions: { code: "CONFLICT", field: "email" } });
  });

  it("refuses blank names, empty roles and malformed emails", async () => {
    const { user } = await signedInUser();
    for (const [input, field] of [
      [{ name: "" }, "name"],
      [{ roles: [] }, "roles"],
      [{ email: "nope" }, "email"],
    ] as const) {
      const result = await t.server.call(UPDATE, { id: user.id, input }, t.adminToken);
      expect(result.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field });
    }
  });
});

describe("deleteUser", () => {
  it("deactivates the user, keeps the row and signs the user out", async () => {
    const { user, tokenWorks } = await signedInUser(["PRODUCTION"]);
    expect(await tokenWorks()).toBe(true);
    const result = await t.server.call(DELETE, { id: user.id }, t.adminToken);
    expect(result).toMatchObject({ status: 200, data: { deleteUser: { id: user.id, active: false } } });
    expect(await t.server.runtime.prisma.user.findUnique({ where: { id: user.id } })).toMatchObject({ active: false });
    expect(await tokenWorks()).toBe(false);
  });

  it("refuses to delete the caller's own account", async () => {
    const result = await t.server.call(DELETE, { id: t.admin.id }, t.adminToken);
    expect(result.errors).toEqual([
      {
        message: "You cannot delete your own account",
        locations: [{ line: 1, column: 23 }],
        path: ["deleteUser"],
        extensions: { code: "BAD_USER_INPUT", field: "id" },
      },
    ]);
    expect(await t.server.runtime.prisma.user.findUnique({ where: { id: t.admin.id } })).toMatchObject({ active: true });
  });

  it("refuses an unknown or malformed id with NOT_FOUND", async () => {
    for (const id of [randomUUID(), "not-a-uuid"]) {
      const result = await t.server.call(DELETE, { id }, t.adminToken);
      expect(result.errors?.[0]?.extensions).toEqual({ code: "NOT_FOUND", id });
    }
  });
});
