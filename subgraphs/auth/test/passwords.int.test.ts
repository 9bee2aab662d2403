import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGIN, VERIFY, login, startAuth, type AuthHarness } from "./harness.js";

let auth: AuthHarness;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth?.stop());

const CHANGE = /* GraphQL */ `
  mutation Change($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`;
const SET = /* GraphQL */ `mutation Set($userId: ID!, $password: String!) { setPassword(userId: $userId, password: $password) }`;
const REVOKE = /* GraphQL */ `mutation Revoke($userId: ID!) { revokeUserSessions(userId: $userId) }`;

const error = (path: string, message: string, extensions: Record<string, unknown>) => [{ message, path: [path], locations: expect.any(Array), extensions }];
const tokenRevoked = { status: 401, errors: [{ message: "Invalid token: token revoked", extensions: { code: "UNAUTHENTICATED" } }] };
const NEW_PASSWORD = "a much longer passphrase";

describe("changePassword", () => {
  it("replaces the password and ends every session", async () => {
    const user = await auth.createUser();
    const { accessToken } = await login(auth, user);
    expect((await auth.call(CHANGE, { currentPassword: user.password, newPassword: NEW_PASSWORD }, accessToken)).data).toEqual({ changePassword: true });

    expect((await auth.call(LOGIN, { email: user.email, password: user.password })).errors?.[0]?.message).toBe("Invalid email or password");
    expect(await auth.call(VERIFY, { token: "x" }, accessToken)).toMatchObject(tokenRevoked);
    const fresh = await login(auth, { email: user.email, password: NEW_PASSWORD });
    expect((await auth.call(VERIFY, { token: fresh.accessToken }, fresh.accessToken)).data?.verifyToken.valid).toBe(true);
  });

  it("refuses a wrong current password and a new password against the policy", async () => {
    const user = await auth.createUser();
    const token = auth.tokenFor(user);
    expect((await auth.call(CHANGE, { currentPassword: "not the password", newPassword: NEW_PASSWORD }, token)).errors).toEqual(
      error("changePassword", "Current password is incorrect", { code: "BAD_USER_INPUT", field: "currentPassword" }),
    );
    expect((await auth.call(CHANGE, { currentPassword: user.password, newPassword: user.email.toUpperCase() }, token)).errors).toEqual(
      error("changePassword", "Password must not be the email address", { code: "BAD_USER_INPUT", field: "password" }),
    );
    await login(auth, user);
  });
});

describe("setPassword", () => {
  it("is for administrators only", async () => {
    const target = await auth.createUser({ password: null });
    const viewer = await auth.createUser({ roles: ["VIEWER"] });
    expect((await auth.call(SET, { userId: target.id, password: NEW_PASSWORD }, auth.tokenFor(viewer))).errors).toEqual(
      error("setPassword", "Mutation.setPassword requires scope auth:admin", { code: "FORBIDDEN", requiredScopes: [["auth:admin"]] }),
    );
    expect((await auth.call(SET, { userId: target.id, password: NEW_PASSWORD })).errors).toEqual(
      error("setPassword", "Sign in to read Mutation.setPassword", { code: "UNAUTHENTICATED" }),
    );
  });

  it("sets a first password, then replaces it and ends the sessions", async () => {
    const admin = auth.tokenFor(await auth.createUser({ roles: ["ADMIN"] }));
    const user = await auth.createUser({ password: null });
    expect((await auth.call(SET, { userId: user.id, password: NEW_PASSWORD }, admin)).data).toEqual({ setPassword: true });
    const { accessToken } = await login(auth, { email: user.email, password: NEW_PASSWORD });

    expect((await auth.call(SET, { userId: user.id, password: `${NEW_PASSWORD}!` }, admin)).data).toEqual({ setPassword: true });
    expect(await auth.call(VERIFY, { token: "x" }, accessToken)).toMatchObject(tokenRevoked);
    await login(auth, { email: user.email, password: `${NEW_PASSWORD}!` });
  });

  it("refuses a password against the policy, an unknown user and a malformed id", async () => {
    const admin = auth.tokenFor(await auth.createUser({ roles: ["ADMIN"] }));
    const user = await auth.createUser({ password: null });
    const cases: [Record<string, string>, string, Record<string, unknown>][] = [
      [{ userId: user.id, password: "too short" }, "Password must be at least 12 characters long", { code: "BAD_USER_INPUT", field: "password" }],
      [{ userId: user.id, password: "x".repeat(257) }, "Password must be at most 256 characters long", { code: "BAD_USER_INPUT", field: "password" }],
      [{ userId: user.id, password: user.email }, "Password must not be the email address", { code: "BAD_USER_INPUT", field: "password" }],
      [
        { userId: "00000000-0000-4000-8000-000000000000", password: NEW_PASSWORD },
        "No user with id 00000000-0000-4000-8000-000000000000",
        { code: "NOT_FOUND", field: "userId" },
      ],
      [{ userId: "42", password: NEW_PASSWORD }, 'userId must be a UUID, got "42"', { code: "BAD_USER_INPUT", field: "userId" }],
    ];
    for (const [variables, message, extensions] of cases) {
      expect((await auth.call(SET, variables, admin)).errors).toEqual(error("setPassword", message, extensions));
    }
  });
});

describe("revokeUserSessions", () => {
  it("ends existing sessions, yet a login right after works", async () => {
    const admin = auth.tokenFor(await auth.createUser({ roles: ["ADMIN"] }));
    const user = await auth.createUser();
    const session = await login(auth, user);
    expect((await auth.call(REVOKE, { userId: user.id }, admin)).data).toEqual({ revokeUserSessions: true });

    expect(await auth.call(VERIFY, { token: "x" }, session.accessToken)).toMatchObject(tokenRevoked);
    const refreshed = await auth.call(/* GraphQL */ `mutation ($t: String!) { refreshToken(refreshToken: $t) { userId } }`, { t: session.refreshToken });
    expect(refreshed.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const fresh = await login(auth, user);
    expect((await auth.call(VERIFY, { token: fresh.accessToken }, fresh.accessToken)).data?.verifyToken).toMatchObject({ valid: true, userId: user.id });
  });

  it("is for administrators only", async () => {
    const viewer = await auth.createUser();
    const result = await auth.call(REVOKE, { userId: viewer.id }, auth.tokenFor(viewer));
    expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
