import { GraphQLError } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmSignature } from "#lib/auth/signatureClient.js";
import { ServiceUnavailableError } from "#lib/graphql/serviceCall.js";
import { startFakeAuth, type FakeAuth } from "../../../test/support/fakeAuth.js";
import { startAuth, type AuthHarness } from "./harness.js";

// The real auth for its answers, and a stand-in for the ways a call to auth can fail.
let auth: AuthHarness;
let fake: FakeAuth;
beforeAll(async () => {
  [auth, fake] = await Promise.all([startAuth({ LOGIN_MAX_FAILURES: "1" }), startFakeAuth()]);
});
afterAll(() => Promise.all([auth?.stop(), fake?.stop()]));

/** The fields of an error a test compares: the class, message and extensions. */
const described = (err: unknown) => ({ type: (err as Error).constructor.name, message: (err as Error).message, extensions: (err as GraphQLError).extensions });
const failureOf = (call: Promise<unknown>) => call.then(() => expect.unreachable("the call succeeded"), described);

describe("confirmSignature (lib/auth/signatureClient.ts)", () => {
  it("returns the confirmation, its time as a Date, and forwards the request id", async () => {
    const user = await auth.createUser({ roles: ["QA"] });
    const before = Date.now();
    const confirmation = await confirmSignature({
      authUrl: auth.url,
      authorization: `Bearer ${auth.tokenFor(user)}`,
      requestId: "req-signature-1",
      password: user.password,
    });
    expect(confirmation).toEqual({ userId: user.id, name: "Test User", email: user.email, confirmedAt: expect.any(Date) });
    expect(confirmation.confirmedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(auth.logs).toContainEqual(expect.objectContaining({ msg: "signature confirmed", userId: user.id, requestId: "req-signature-1" }));
  });

  it("throws auth's refusals as GraphQLErrors with auth's message and code", async () => {
    const user = await auth.createUser({ roles: ["QA"] });
    const options = { authUrl: auth.url, authorization: `Bearer ${auth.tokenFor(user)}`, requestId: "req-signature-2" };
    expect(await failureOf(confirmSignature({ ...options, password: "wrong password" }))).toEqual({
      type: "GraphQLError",
      message: "Signature refused: wrong password",
      extensions: { code: "UNAUTHENTICATED" },
    });
    expect(await failureOf(confirmSignature({ ...options, password: user.password }))).toEqual({
      type: "GraphQLError",
      message: "Too many failed logins; try again in 1 s",
      extensions: { code: "TOO_MANY_REQUESTS", retryAfter: 1 },
    });
    expect(await failureOf(confirmSignature({ ...options, authorization: undefined, password: user.password }))).toEqual({
      type: "GraphQLError",
      message: "Sign in to read Mutation.confirmSignature",
      extensions: { code: "UNAUTHENTICATED" },
    });
  });

  it("throws ServiceUnavailableError when auth is down, too slow, failing inside or answering garbage", async () => {
    const options = { authUrl: fake.url, authorization: "Bearer x", requestId: "req-signature-3", password: "pw" };
    const unavailable = (message: string) => ({ type: "ServiceUnavailableError", message, extensions: undefined });
    try {
      fake.failure = "reset";
      expect(await failureOf(confirmSignature(options))).toEqual(unavailable("auth confirmSignature failed: fetch failed"));
      fake.failure = "hang";
      // Auth never answers: without the timeout this would hang until the test's own limit.
      expect(await failureOf(confirmSignature({ ...options, timeoutMs: 200 }))).toEqual(
        unavailable("auth confirmSignature failed: The operation was aborted due to timeout"),
      );
      fake.failure = undefined;
      fake.answer = () => ({ data: null, errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      expect(await failureOf(confirmSignature(options))).toEqual(unavailable("auth confirmSignature failed: INTERNAL_SERVER_ERROR Internal server error"));
      fake.answer = () => ({ data: { confirmSignature: { userId: "u", name: "N", email: "e", confirmedAt: "not a date" } } });
      expect(await failureOf(confirmSignature(options))).toEqual(unavailable("auth confirmSignature answered without a confirmation"));
      fake.answer = () => "not GraphQL";
      expect(await failureOf(confirmSignature(options))).toEqual(unavailable("auth confirmSignature failed: the answer is no GraphQL response"));
    } finally {
      fake.failure = undefined;
      fake.answer = undefined;
    }
    await expect(confirmSignature(options)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
