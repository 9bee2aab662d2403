import { createPublicKey } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { keyId, signServiceToken } from "#lib/auth/tokens.js";
import { Credentials } from "../src/credentials.js";
import { login, startAuth, type AuthHarness } from "./harness.js";

/** Failures answered without delay here: two, so that the delay comes after few calls. */
const MAX_FAILURES = 2;

let auth: AuthHarness;
beforeAll(async () => {
  auth = await startAuth({ LOGIN_MAX_FAILURES: String(MAX_FAILURES) });
});
afterAll(() => auth?.stop());
afterEach(() => {
  vi.restoreAllMocks();
});

const CONFIRM = /* GraphQL */ `
  mutation Confirm($password: String!) { confirmSignature(password: $password) { userId name email confirmedAt } }
`;

const refused = (message: string, extensions: Record<string, unknown>) => [
  { message, path: ["confirmSignature"], locations: [{ line: 2, column: 42 }], extensions },
];
const WRONG_PASSWORD = refused("Signature refused: wrong password", { code: "UNAUTHENTICATED" });
const DELAYED = refused("Too many failed logins; try again in 1 s", { code: "TOO_MANY_REQUESTS", retryAfter: 1 });

describe("confirmSignature", () => {
  it("confirms the password of the token's own user, with the printed name and the time of signing", async () => {
    const user = await auth.createUser({ roles: ["QA"] });
    const { accessToken } = await login(auth, user);
    const before = Date.now();
    const result = await auth.call(CONFIRM, { password: user.password }, accessToken);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ confirmSignature: { userId: user.id, name: "Test User", email: user.email, confirmedAt: expect.any(String) } });
    const confirmedAt = Date.parse(result.data!.confirmSignature.confirmedAt);
    expect(confirmedAt).toBeGreaterThanOrEqual(before);
    expect(confirmedAt).toBeLessThanOrEqual(Date.now());
  });

  it("refuses a wrong password, and a user without a password alike", async () => {
    const user = await auth.createUser({ roles: ["QA"] });
    expect((await auth.call(CONFIRM, { password: `${user.password}x` }, auth.tokenFor(user))).errors).toEqual(WRONG_PASSWORD);
    const withoutPassword = await auth.createUser({ password: null });
    expect((await auth.call(CONFIRM, { password: "anything at all" }, auth.tokenFor(withoutPassword))).errors).toEqual(WRONG_PASSWORD);
  });

  it(`after ${MAX_FAILURES} wrong passwords, refuses the next attempt without hashing, even with the right password`, async () => {
    const user = await auth.createUser({ roles: ["QA"] });
    const token = auth.tokenFor(user);
    for (let i = 0; i < MAX_FAILURES; i++) expect((await auth.call(CONFIRM, { password: "wrong password" }, token)).errors).toEqual(WRONG_PASSWORD);
    const check = vi.spyOn(Credentials.prototype, "check");
    const delayed = await auth.call(CONFIRM, { password: user.password }, token);
    expect(delayed.errors).toEqual(DELAYED);
    expect(delayed.data).toBeNull();
    expect(check).not.toHaveBeenCalled();
    // The signature's failures are its own: the account's logins are not delayed.
    await login(auth, user);
  });

  it("does not count failed logins against signatures", async () => {
    const user = await auth.createUser({ roles: ["QA"] });
    for (let i = 0; i < MAX_FAILURES + 1; i++) await auth.call(/* GraphQL */ `mutation { login(email: "${user.email}", password: "wrong") { userId } }`);
    const result = await auth.call(CONFIRM, { password: user.password }, auth.tokenFor(user));
    expect(result.data?.confirmSignature.userId).toBe(user.id);
  });

  it("forgets the failures after a confirmed signature", async () => {
    const user = await auth.createUser({ roles: ["QA"] });
    const token = auth.tokenFor(user);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await auth.call(CONFIRM, { password: "wrong password" }, token)).errors).toEqual(WRONG_PASSWORD);
      expect((await auth.call(CONFIRM, { password: user.password }, token)).errors).toBeUndefined();
    }
  });

  it("refuses a service token (FORBIDDEN): it signs for no one", async () => {
    const { issuer, audience, accessTokenTtlSeconds } = auth.runtime.config;
    const kid = keyId(createPublicKey(auth.privateKey));
    const token = signServiceToken("gateway", ["batches:read", "users:read"], {
      privateKey: auth.privateKey,
      kid,
      issuer,
      audience,
      ttlSeconds: accessTokenTtlSeconds,
    });
    const result = await auth.call(CONFIRM, { password: "whatever it is" }, token);
    expect(result.errors).toEqual(
      refused("Mutation.confirmSignature needs a user's own access token; a service token acts for no user", { code: "FORBIDDEN" }),
    );
    expect(result.data).toBeNull();
  });

  it("refuses an anonymous caller (UNAUTHENTICATED)", async () => {
    const result = await auth.call(CONFIRM, { password: "whatever it is" });
    expect(result.errors).toEqual(refused("Sign in to read Mutation.confirmSignature", { code: "UNAUTHENTICATED" }));
    expect(result.data).toBeNull();
  });

  it("refuses the token of an inactive user, even with the right password, without counting a failure", async () => {
    const user = await auth.createUser({ roles: ["QA"], active: false });
    const token = auth.tokenFor(user);
    for (let i = 0; i < MAX_FAILURES + 1; i++) {
      expect((await auth.call(CONFIRM, { password: user.password }, token)).errors).toEqual(
        refused("Signature refused: the account is inactive", { code: "UNAUTHENTICATED" }),
      );
    }
  });

  it("logs confirmations and refusals with the user id and reason, never the password", async () => {
    const user = await auth.createUser({ roles: ["QA"] });
    const token = auth.tokenFor(user);
    const before = auth.logs.length;
    await auth.call(CONFIRM, { password: "Tr0ub4dor&3-guess" }, token);
    await auth.call(CONFIRM, { password: user.password }, token);
    const all = auth.logs.slice(before);
    const lines = all.filter((l) => l.msg !== "graphql operation");
    expect(lines.map((l) => [l.level, l.msg, l.userId, l.reason ?? null])).toEqual([
      [30, "signature refused", user.id, "wrong password"],
      [30, "signature confirmed", user.id, null],
    ]);
    const text = JSON.stringify(all);
    for (const secret of [user.password, "Tr0ub4dor&3-guess", token]) expect(text).not.toContain(secret);
  });
});
