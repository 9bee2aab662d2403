import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rest, restError } from "../support/rest.js";
import { startAuth, type AuthHarness } from "../../subgraphs/auth/test/harness.js";
import { INVALID_LOGIN, readMetric, sendLogin, unknownEmail, type LoginVariables } from "./signIn.js";

/**
 * Attacks on signing in (security report, items 2 and 3), straight at the auth subgraph's port:
 * floods of password hashes, and failed-login counting that locks out the account's owner.
 */

/** What one scrypt at OWASP's cost allocates (128 · N · r bytes). */
const SCRYPT_MEMORY = 128 * 2 ** 17 * 8;

const busy = (retryAfter: number) => ({
  status: 503,
  retryAfterHeader: String(retryAfter),
  errors: [
    {
      message: `Sign-in is busy; retry in ${retryAfter} s`,
      path: ["login"],
      locations: expect.any(Array),
      extensions: { code: "SERVICE_UNAVAILABLE", retryAfter },
    },
  ],
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

describe("failed logins", () => {
  let auth: AuthHarness;
  beforeAll(async () => {
    // Two failures answered without delay (5 by default), so that delays come after a few calls.
    auth = await startAuth({ LOGIN_MAX_FAILURES: "2" });
  });
  afterAll(() => auth?.stop());

  const login = (variables: LoginVariables) => sendLogin(auth.url, variables);
  const failed = { errors: [{ ...INVALID_LOGIN, path: ["login"], locations: expect.any(Array) }] };
  const delayed = (retryAfter: number) => ({
    errors: [
      {
        message: `Too many failed logins; try again in ${retryAfter} s`,
        path: ["login"],
        locations: expect.any(Array),
        extensions: { code: "TOO_MANY_REQUESTS", retryAfter },
      },
    ],
  });
  const answer = ({ data, errors }: Awaited<ReturnType<typeof sendLogin>>) => (errors ? { errors } : { data });
  /** Waits the delay the last answer announced, as a well-behaved client does. */
  const waitAsTold = (result: Awaited<ReturnType<typeof sendLogin>>) => new Promise((resolve) => setTimeout(resolve, retryAfterOf(result) * 1000));

  it("8 simultaneous correct logins of one account all succeed", async () => {
    const user = await auth.createUser();
    const results = await Promise.all(Array.from({ length: 8 }, () => login(user)));
    expect(results.map((r) => r.data?.login?.userId ?? r.errors)).toEqual(Array(8).fill(user.id));
  });

  it("wrong passwords bring growing delays with retryAfter, even for the right password, and a burst after a delay gets one guess", async () => {
    const user = await auth.createUser();
    const wrong = { email: user.email, password: "a wrong guess" };
    expect(answer(await login(wrong))).toEqual(failed);
    expect(answer(await login(wrong))).toEqual(failed);
    let refused = await login(user);
    expect(answer(refused)).toEqual(delayed(1));

    await waitAsTold(refused);
    const burst = await Promise.all(Array.from({ length: 5 }, () => login(wrong)));
    expect(burst.map((r) => r.errors?.[0]?.extensions?.code).sort()).toEqual([...Array(4).fill("TOO_MANY_REQUESTS"), "UNAUTHENTICATED"]);
    refused = await login(wrong);
    expect(answer(refused)).toEqual(delayed(2));

    await waitAsTold(refused);
    expect(answer(await login(wrong))).toEqual(failed);
    refused = await login(user);
    expect(answer(refused)).toEqual(delayed(4));

    await waitAsTold(refused);
    expect((await login(user)).data?.login.userId).toBe(user.id);
    // The success forgot the failures.
    expect(answer(await login(wrong))).toEqual(failed);
    expect((await login(user)).data?.login.userId).toBe(user.id);
  });

  it("the owner with a device token signs in while someone else's guesses keep the account under delays", async () => {
    const owner = await auth.createUser();
    const { deviceToken } = (await login({ ...owner, deviceToken: null })).data!.login;
    expect(deviceToken).toEqual(expect.stringMatching(/^[\w-]+\.\d+\.[\w-]+$/));
    for (let i = 0; i < 2; i++) expect(answer(await login({ email: owner.email, password: "an attacker's guess" }))).toEqual(failed);
    expect(answer(await login(owner))).toEqual(delayed(1));

    const signedIn = await login({ ...owner, deviceToken });
    expect(signedIn.data?.login).toEqual({ accessToken: expect.any(String), userId: owner.id, deviceToken: expect.any(String) });
    expect(signedIn.data?.login.deviceToken).not.toBe(deviceToken);
    // The legacy REST route takes and returns it too.
    const legacy = await rest(auth.url, "POST", "/api/auth/login", { json: { email: owner.email, password: owner.password, device_token: deviceToken } });
    expect(legacy).toMatchObject({ status: 200, body: { user_id: owner.id, device_token: expect.any(String) } });

    // Another account's device token, or a forged one, is no way past the account's delay.
    const other = await auth.createUser();
    const othersToken = (await login({ ...other, deviceToken: null })).data?.login.deviceToken;
    expect(answer(await login({ ...owner, deviceToken: othersToken }))).toEqual(delayed(1));
    const [id, expires] = String(deviceToken).split(".");
    expect(answer(await login({ ...owner, deviceToken: `${id}.${expires}.${"A".repeat(43)}` }))).toEqual(delayed(1));

    // Failures with the device token count against that device only.
    const stolen = { email: owner.email, password: "a guess with a stolen device token", deviceToken };
    expect(answer(await login(stolen))).toEqual(failed);
    expect(answer(await login(stolen))).toEqual(failed);
    expect(answer(await login({ ...owner, deviceToken }))).toEqual(delayed(1));
    const fresh = (await login({ ...owner, deviceToken: signedIn.data?.login.deviceToken })).data?.login;
    expect(fresh?.userId).toBe(owner.id);
  });

  it("an unknown email gets the same answers, delays included, as a known one", async () => {
    const known = await auth.createUser();
    const other = await auth.createUser();
    const { deviceToken } = (await login({ ...other, deviceToken: null })).data!.login;
    const sequence = async (email: string) => {
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(answer(await login({ email, password: "a wrong guess", deviceToken })));
      return answers;
    };
    const [forKnown, forUnknown] = await Promise.all([sequence(known.email), sequence(unknownEmail())]);
    expect(forUnknown).toEqual(forKnown);
    expect(forKnown).toEqual([failed, failed, delayed(1)]);
  });
});
