import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rest, restError } from "../support/rest.js";
import { startAuth, type AuthHarness } from "../../subgraphs/auth/test/harness.js";
import { INVALID_LOGIN, readMetric, sendLogin, unknownEmail } from "./signIn.js";

/**
 * Attacks on signing in (security report, items 2 and 3), straight at the auth subgraph's port:
 * floods of password hashes, and failed-login counting that locks out the account's owner.
 */

/** What one scrypt at OWASP's cost allocates (128 · N · r bytes). */
const SCRYPT_MEMORY = 128 * 2 ** 17 * 8;

const busy = (retryAfter: number) => ({
  status: 503,
  retryAfterHeader: String(retryAfter),
  errors: [{ message: `Sign-in is busy; retry in ${retryAfter} s`, path: ["login"], locations: expect.any(Array), extensions: { code: "SERVICE_UNAVAILABLE", retryAfter } }],
});
const outcome = (result: Awaited<ReturnType<typeof sendLogin>>) => ({
  status: result.status,
  retryAfterHeader: result.headers.get("retry-after") ?? undefined,
  errors: result.errors,
});
const retryAfterOf = (result: Awaited<ReturnType<typeof sendLogin>>) => result.errors?.[0]?.extensions?.retryAfter as number;

describe("a flood of password hashes", () => {
  let auth: AuthHarness;
  beforeAll(async () => {
    // One hash at a time and two waiting: a 2-core machine's numbers, scaled down so that the
    // test floods the queue with a few dozen requests.
    auth = await startAuth({ PASSWORD_HASH_CONCURRENCY: "1", PASSWORD_HASH_QUEUE: "2" });
  });
  afterAll(() => auth?.stop());

  it("64 parallel bad logins at the auth port leave a real login an answer, signed in or 503 with Retry-After, never a timeout, in bounded memory", async () => {
    const user = await auth.createUser();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    let most = { running: 0, waiting: 0 };
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 5);
    const watcher = setInterval(async () => {
      const [running, waiting] = await Promise.all(["running", "waiting"].map((state) => readMetric(auth.url, "password_hashes", { state })));
      most = { running: Math.max(most.running, running!), waiting: Math.max(most.waiting, waiting!) };
    }, 50);
    const refusedBefore = await readMetric(auth.url, "password_hashes_refused_total");
    try {
      // Unknown emails: each costs a full-price hash (of the dummy), and no account's failure
      // delay slows the flood down.
      const flood = Array.from({ length: 64 }, () => sendLogin(auth.url, { email: unknownEmail(), password: "a wrong guess" }, AbortSignal.timeout(60_000)));
      // The client gives up after 10 s: the report saw a real login take 20.5 s in such a flood.
      const real = await sendLogin(auth.url, user, AbortSignal.timeout(10_000));
      const answers = await Promise.all(flood);

      if (real.status === 200) expect(real.data?.login.userId).toBe(user.id);
      else expect(outcome(real)).toEqual(busy(retryAfterOf(real)));
      const refused = answers.filter((answer) => answer.status === 503);
      for (const answer of refused) expect(outcome(answer)).toEqual(busy(retryAfterOf(answer)));
      for (const answer of answers.filter((a) => a.status !== 503)) {
        expect(answer.errors).toEqual([{ ...INVALID_LOGIN, path: ["login"], locations: expect.any(Array) }]);
      }
      expect(refused.length).toBeGreaterThanOrEqual(32);
      expect(await readMetric(auth.url, "password_hashes_refused_total")).toBe(refusedBefore + refused.length + (real.status === 503 ? 1 : 0));
      // Memory: one hash at a time (not 64, nor libuv's 4), whatever the flood.
      expect(most.running).toBeLessThanOrEqual(1);
      expect(most.waiting).toBeLessThanOrEqual(2);
      expect(peak - baseline).toBeLessThan(3 * SCRYPT_MEMORY);

      // A refused client that waits as told gets in.
      let retry = real;
      while (retry.status === 503) {
        await new Promise((resolve) => setTimeout(resolve, retryAfterOf(retry) * 1000));
        retry = await sendLogin(auth.url, user, AbortSignal.timeout(10_000));
      }
      expect(retry.data?.login.userId).toBe(user.id);
    } finally {
      clearInterval(sampler);
      clearInterval(watcher);
    }
  });

  it("a login refused by a full hash queue is 503 with Retry-After on the legacy REST route too", async () => {
    const user = await auth.createUser();
    const flood = Array.from({ length: 8 }, () => sendLogin(auth.url, { email: unknownEmail(), password: "a wrong guess" }));
    await expect.poll(() => readMetric(auth.url, "password_hashes", { state: "waiting" }), { timeout: 10_000, interval: 10 }).toBe(2);
    const response = await rest(auth.url, "POST", "/api/auth/login", { json: { email: user.email, password: user.password } });
    const retryAfter = response.body?.error?.details?.retryAfter as number;
    expect(response).toMatchObject({ status: 503, body: restError("SERVICE_UNAVAILABLE", `Sign-in is busy; retry in ${retryAfter} s`, { retryAfter }) });
    expect(response.headers.get("retry-after")).toBe(String(retryAfter));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    await Promise.all(flood);
  });
});
