import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAccessToken } from "#lib/auth/tokens.js";
import { jwksKeyLookup } from "#lib/auth/verifier.js";
import { LOGIN, login, startAuth, type AuthHarness } from "./harness.js";

let auth: AuthHarness;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth?.stop());

const INVALID = [{ message: "Invalid email or password", path: ["login"], locations: expect.any(Array), extensions: { code: "UNAUTHENTICATED" } }];

describe("login", () => {
  it("issues an access token that verifies against the published JWKS", async () => {
    const user = await auth.createUser({ roles: ["QA"] });
    const payload = await login(auth, { email: user.email.toUpperCase(), password: user.password });
    expect(payload).toEqual({
      accessToken: expect.any(String),
      tokenType: "Bearer",
      // 900 less the seconds the sign-in took.
      expiresIn: expect.toBeOneOf([899, 900]),
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      refreshExpiresIn: 7 * 86_400,
      userId: user.id,
    });
    const jwks = await fetch(`${auth.url}/.well-known/jwks.json`);
    expect(jwks.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await jwks.json()).toEqual({
      keys: [{ kty: "EC", crv: "P-256", x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: "ES256", use: "sig" }],
    });
    const { issuer, audience, accessTokenTtlSeconds } = auth.runtime.config;
    const rules = { issuer, audience, maxTtlSeconds: accessTokenTtlSeconds };
    const principal = await verifyAccessToken(payload.accessToken, jwksKeyLookup(`${auth.url}/.well-known/jwks.json`), rules);
    expect(principal).toMatchObject({
      userId: user.id,
      email: user.email,
      roles: ["QA"],
      scopes: ["batches:read", "batches:release", "qa:approve", "qa:read", "qa:write", "users:read"],
    });
  });

  it("answers an unknown email, a wrong password, a missing password and an inactive user alike", async () => {
    const user = await auth.createUser();
    const withoutPassword = await auth.createUser({ password: null });
    const inactive = await auth.createUser({ active: false });
    const attempts = [
      { email: "nobody-here@example.com", password: user.password },
      { email: user.email, password: `${user.password}x` },
      { email: withoutPassword.email, password: "anything at all" },
      { email: inactive.email, password: inactive.password },
    ];
    for (const variables of attempts) {
      const result = await auth.call(LOGIN, variables);
      expect(result.errors).toEqual(INVALID);
      expect(result.data).toBeNull();
    }
  });

  it("after 5 failures, makes the next attempt wait, even for the right password", async () => {
    const user = await auth.createUser();
    for (let i = 0; i < 5; i++) {
      expect((await auth.call(LOGIN, { email: user.email, password: "wrong password" })).errors).toEqual(INVALID);
    }
    const delayed = await auth.call(LOGIN, { email: user.email.toUpperCase(), password: user.password });
    expect(delayed.errors).toEqual([
      {
        message: "Too many failed logins; try again in 1 s",
        path: ["login"],
        locations: expect.any(Array),
        extensions: { code: "TOO_MANY_REQUESTS", retryAfter: 1 },
      },
    ]);
  });

  it("delays unknown emails too, so the delay tells nothing about existence", async () => {
    const email = `ghost-${Date.now()}@example.com`;
    for (let i = 0; i < 5; i++) await auth.call(LOGIN, { email, password: "whatever it is" });
    expect((await auth.call(LOGIN, { email, password: "whatever it is" })).errors?.[0]?.extensions?.code).toBe("TOO_MANY_REQUESTS");
  });

  it("logs successes, failures and delays with the request id, never a password or a token", async () => {
    const user = await auth.createUser();
    const requestIds = new Set<string>();
    const before = auth.logs.length;
    const { accessToken, refreshToken } = await login(auth, user);
    for (let i = 0; i < 6; i++) await auth.call(LOGIN, { email: user.email, password: "Tr0ub4dor&3-guess" });
    const all = auth.logs.slice(before);
    // The per-operation access lines (debug) say nothing about logins; they are checked for secrets below.
    const lines = all.filter((l) => l.msg !== "graphql operation");
    expect(lines.map((l) => [l.msg, l.userId ?? null, l.reason ?? null])).toEqual([
      ["login succeeded", user.id, null],
      ...Array(5).fill(["login failed", user.id, "wrong password"]),
      ["refused: sign-in delayed after repeated failed logins", null, null],
    ]);
    for (const line of lines) requestIds.add(String(line.requestId));
    expect(requestIds.size).toBe(7);
    const text = JSON.stringify(all);
    for (const secret of [user.password, "Tr0ub4dor&3-guess", accessToken, refreshToken]) expect(text).not.toContain(secret);
  });

  it("forgets the failures after a successful login", async () => {
    const user = await auth.createUser();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) await auth.call(LOGIN, { email: user.email, password: "wrong password" });
      await login(auth, user);
    }
  });
});
