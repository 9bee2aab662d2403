import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REFRESH, VERIFY, login, startAuth, type AuthHarness } from "./harness.js";

let auth: AuthHarness;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth?.stop());

const LOGOUT = /* GraphQL */ `mutation Logout($refreshToken: String) { logout(refreshToken: $refreshToken) }`;
const ENDED = [{ message: "Invalid or expired refresh token", path: ["refreshToken"], locations: expect.any(Array), extensions: { code: "UNAUTHENTICATED" } }];
const refresh = (refreshToken: string) => auth.call(REFRESH, { refreshToken });

describe("refresh tokens", () => {
  it("rotate: each is good once, and using an old one again ends the whole session", async () => {
    const user = await auth.createUser();
    const first = await login(auth, user);
    const second = (await refresh(first.refreshToken)).data?.refreshToken;
    expect(second).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), userId: user.id });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const third = (await refresh(second.refreshToken)).data?.refreshToken;
    expect(third.userId).toBe(user.id);

    expect((await refresh(first.refreshToken)).errors).toEqual(ENDED);
    expect(auth.logs).toContainEqual(
      expect.objectContaining({ msg: "rotated or revoked refresh token presented: session ended", userId: user.id, refused: "reused", level: 40 }),
    );
    // The newest token of the family went down with it.
    expect((await refresh(third.refreshToken)).errors).toEqual(ENDED);
    // Another login is another family, untouched.
    expect((await refresh((await login(auth, user)).refreshToken)).data?.refreshToken.userId).toBe(user.id);
  });

  it("let only one of two concurrent exchanges of the same token win", async () => {
    const user = await auth.createUser();
    const { refreshToken } = await login(auth, user);
    const results = await Promise.all([refresh(refreshToken), refresh(refreshToken)]);
    expect(results.filter((r) => r.data?.refreshToken).length).toBe(1);
    expect(results.filter((r) => r.errors).map((r) => r.errors)).toEqual([ENDED]);
  });

  it("refuse unknown and expired tokens, and tokens of an inactive user", async () => {
    expect((await refresh("not-a-token-we-issued")).errors).toEqual(ENDED);
    const user = await auth.createUser();
    const expired = await login(auth, user);
    await auth.runtime.prisma.refreshToken.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await refresh(expired.refreshToken)).errors).toEqual(ENDED);

    const leaving = await auth.createUser();
    const { refreshToken } = await login(auth, leaving);
    await auth.runtime.prisma.user.update({ where: { id: leaving.id }, data: { active: false } });
    expect((await refresh(refreshToken)).errors).toEqual(ENDED);
  });
});

describe("logout", () => {
  it("refuses the access token from then on and ends the session of the refresh token", async () => {
    const user = await auth.createUser();
    const other = await login(auth, user);
    const { accessToken, refreshToken } = await login(auth, user);
    expect((await auth.call(LOGOUT, { refreshToken }, accessToken)).data).toEqual({ logout: true });

    const again = await auth.call(VERIFY, { token: "x" }, accessToken);
    expect(again.status).toBe(401);
    expect(again.errors).toEqual([{ message: "Invalid token: token revoked", extensions: { code: "UNAUTHENTICATED" } }]);
    expect((await auth.call(VERIFY, { token: accessToken })).data?.verifyToken).toEqual({
      valid: false,
      reason: "token revoked",
      userId: null,
      email: null,
      roles: [],
      scopes: [],
      expiresAt: null,
    });
    expect((await refresh(refreshToken)).errors).toEqual(ENDED);
    // The other sign-in of the same user goes on.
    expect((await auth.call(VERIFY, { token: other.accessToken })).data?.verifyToken.valid).toBe(true);
    expect((await refresh(other.refreshToken)).data?.refreshToken.userId).toBe(user.id);
  });

  it("leaves alone a refresh token that belongs to someone else", async () => {
    const [alice, bob] = [await auth.createUser(), await auth.createUser()];
    const aliceSession = await login(auth, alice);
    const bobSession = await login(auth, bob);
    expect((await auth.call(LOGOUT, { refreshToken: bobSession.refreshToken }, aliceSession.accessToken)).data).toEqual({ logout: true });
    expect((await refresh(bobSession.refreshToken)).data?.refreshToken.userId).toBe(bob.id);
  });

  it("needs a signed-in caller", async () => {
    expect((await auth.call(LOGOUT, {})).errors).toEqual([
      { message: "Sign in to read Mutation.logout", path: ["logout"], locations: expect.any(Array), extensions: { code: "UNAUTHENTICATED" } },
    ]);
  });
});
