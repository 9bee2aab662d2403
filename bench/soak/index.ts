/**
 * `npm run bench:soak`: mixed traffic for `SOAK_MINUTES` (default 30) on a stack of its own
 * (database, exchange, queue and Redis prefix of its own, removed at the end), from
 * `SOAK_USERS` distinct users (default 20): the frontend's dashboard query, `me`, legacy REST
 * calls, batch creations and status changes (`SOAK_CHANGES_PER_SECOND`, default 2), by
 * `SOAK_CONCURRENCY` clients (default 4), while `SOAK_SUBSCRIBERS` (default 500) graphql-ws
 * subscribers receive every status change. Every minute it prints errors and p50/p99 per
 * operation, events delivered/expected, and each service's RSS (from /proc) and heap (from
 * /metrics), with their slope over the run so far: a leak shows as a steady positive slope.
 *
 * It builds the product (`npm run build`; `BENCH_SKIP_BUILD=1` reuses `dist/`) and runs the
 * compiled services with `NODE_ENV=production`.
 */
import { randomBytes } from "node:crypto";
import { readBackingServices } from "#lib/config.js";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "../../subgraphs/production/test/operations.js";
import { createTestDatabase } from "../../test/support/database.js";
import { graphql, type GraphQLResult } from "../../test/support/graphql.js";
import { subscribe, type TestSubscription } from "../../test/support/subscriptions.js";
import { startSubscriptionFixture } from "../../test/subscriptions/fixture.js";
import { buildProduct } from "../support/build.js";
import { percentile, rssMiB } from "../support/stats.js";
import { ServiceSampler } from "./samples.js";

const MINUTES = Number(process.env.SOAK_MINUTES || 30);
const USERS = Number(process.env.SOAK_USERS || 20);
const SUBSCRIBERS = Number(process.env.SOAK_SUBSCRIBERS || 500);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY || 4);
const CHANGES_PER_SECOND = Number(process.env.SOAK_CHANGES_PER_SECOND || 2);

const DASHBOARD = /* GraphQL */ `{ batches(first: 50) { edges { node { id batchNumber status createdBy { name email } } } } }`;
const ME = /* GraphQL */ `{ me { id email roles } }`;
const CREATE_USER = /* GraphQL */ `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`;
const LOGIN = /* GraphQL */ `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;
const EVENTS = /* GraphQL */ `subscription { batchStatusChanged { eventId newStatus changedBy { email } batch { id status } } }`;

/** Latencies and errors of one operation in the current minute. */
class OperationStats {
  latencies: number[] = [];
  errors = 0;
  total = 0;
  record(ms: number, ok: boolean) {
    this.total += 1;
    if (ok) this.latencies.push(ms);
    else this.errors += 1;
  }
  line(name: string) {
    const sorted = this.latencies.sort((a, b) => a - b);
    return `${name.padEnd(10)} ${String(this.total).padStart(6)} calls ${String(this.errors).padStart(4)} errors  p50 ${percentile(sorted, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(sorted, 99).toFixed(1).padStart(7)} ms`;
  }
}

const compiled = buildProduct();

const fixture = await startSubscriptionFixture({
  processes: true,
  // Compiled, in production mode, as it would be deployed.
  compiled,
  redisPrefix: `batch-soak-${process.pid}-${randomBytes(3).toString("hex")}:`,
  database: await createTestDatabase(readBackingServices().databaseUrl),
  env: {
    // Tokens that outlive the run, and quotas that let the traffic through: the bench measures the stack, not its limits.
    ACCESS_TOKEN_TTL: String(Math.min(86_400, Math.max(3_600, MINUTES * 60 + 900))),
    RATE_LIMIT_USER: "1000000",
    RATE_LIMIT_ANONYMOUS: "1000000",
    RATE_LIMIT_LOGIN: "1000000",
    SUBGRAPH_RATE_LIMIT_USER: "1000000",
    SUBGRAPH_RATE_LIMIT_ANONYMOUS: "1000000",
    SUBGRAPH_TIMEOUT_MS: "30000",
    NODE_ENV: "production",
    // The gateway serves /metrics in production only with a token.
    METRICS_TOKEN: randomBytes(18).toString("base64url"),
  },
});
const { stack } = fixture;
const gateway = stack.gateway.url;
let stopping = false;
try {
  // Distinct users: half of them make batches, the others watch.
  const admin = await fixture.login("admin");
  const qa = await fixture.login("qa");
  const users: Array<{ token: string; id: string; producer: boolean }> = [];
  for (let i = 0; i < USERS; i++) {
    const producer = i % 2 === 0;
    const email = `soak-${i}-${randomBytes(3).toString("hex")}@example.com`;
    const password = `soak password ${randomBytes(6).toString("hex")}`;
    const created = await graphql(gateway, CREATE_USER, { input: { email, name: `Soak ${i}`, roles: [producer ? "PRODUCTION" : "VIEWER"], password } }, admin);
    if (!created.data) throw new Error(`creating a soak user failed: ${JSON.stringify(created.errors)}`);
    const login = await graphql(gateway, LOGIN, { email, password });
    if (!login.data) throw new Error(`signing a soak user in failed: ${JSON.stringify(login.errors)}`);
    users.push({ token: login.data.login.accessToken, id: created.data.createUser.id, producer });
  }
  const producers = users.filter((u) => u.producer);
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;

  const subscribers: TestSubscription[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) subscribers.push(subscribe(gateway, { authorization: `Bearer ${users[i % users.length]!.token}` }, EVENTS));
  await Promise.all(subscribers.map((s) => s.connected));

  let stats = new Map<string, OperationStats>();
  let changes = 0;
  const timed = async (name: string, run: () => Promise<boolean>) => {
    const started = performance.now();
    let ok: boolean;
    try {
      ok = await run();
    } catch {
      ok = false;
    }
    if (!stats.has(name)) stats.set(name, new OperationStats());
    stats.get(name)!.record(performance.now() - started, ok);
  };
  const okGraphql = (result: GraphQLResult) => result.status === 200 && !result.errors;

  // Batches cycle IN_PROGRESS <-> QA_HOLD: every change is an event for every subscriber.
  const batches: Array<{ id: string; status: string; version: number }> = [];
  const reads = async () => {
    while (!stopping) {
      const user = pick(users);
      const roll = Math.random();
      if (roll < 0.5) await timed("dashboard", async () => okGraphql(await graphql(gateway, DASHBOARD, {}, user.token)));
      else if (roll < 0.7) await timed("me", async () => okGraphql(await graphql(gateway, ME, {}, user.token)));
      else if (roll < 0.85)
        await timed(
          "rest:list",
          async () =>
            await fetch(`${gateway}/api/batches?limit=20`, { headers: { authorization: `Bearer ${user.token}` } }).then(
              async (r) => (await r.arrayBuffer(), r.ok),
            ),
        );
      else
        await timed(
          "rest:user",
          async () =>
            await fetch(`${gateway}/api/users/${user.id}`, { headers: { authorization: `Bearer ${user.token}` } }).then(
              async (r) => (await r.arrayBuffer(), r.ok),
            ),
        );
    }
  };
  const writes = async () => {
    while (!stopping) {
      const started = Date.now();
      if (batches.length < 10 || Math.random() < 0.1) {
        await timed("create", async () => {
          const result = await graphql(
            gateway,
            CREATE_BATCH,
            { input: batchInput(`SOAK-${randomBytes(4).toString("hex").toUpperCase()}`) },
            pick(producers).token,
          );
          if (!okGraphql(result)) return false;
          const batch = { id: result.data!.createBatch.id as string, status: "PLANNED", version: 0 };
          const started = await graphql(gateway, CHANGE_STATUS, { id: batch.id, status: "IN_PROGRESS" }, pick(producers).token);
          if (!okGraphql(started)) return false;
          changes += 1;
          batch.status = "IN_PROGRESS";
          batches.push(batch);
          return true;
        });
      } else {
        const batch = pick(batches);
        const next = batch.status === "IN_PROGRESS" ? "QA_HOLD" : "IN_PROGRESS";
        await timed("change", async () => {
          const result = await graphql(
            gateway,
            CHANGE_STATUS,
            { id: batch.id, status: next, reason: next === "IN_PROGRESS" ? "rework" : null },
            next === "QA_HOLD" ? pick(producers).token : qa,
          );
          if (!okGraphql(result)) return false;
          batch.status = next;
          changes += 1;
          return true;
        });
      }
      const wait = 1000 / CHANGES_PER_SECOND - (Date.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };

  const sampler = new ServiceSampler(stack);
  const delivered = () => subscribers.reduce((sum, s) => sum + s.results.length, 0);
  const workers = [...Array.from({ length: CONCURRENCY }, reads), writes()];
  console.log(`soak: ${MINUTES} min, ${USERS} users, ${SUBSCRIBERS} subscribers, ${CONCURRENCY} clients, ${CHANGES_PER_SECOND} changes/s`);
  for (let minute = 1; minute <= MINUTES; minute++) {
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    const current = stats;
    stats = new Map();
    await sampler.sample(minute);
    console.log(`\n-- minute ${minute}: events delivered/expected ${delivered()}/${changes * SUBSCRIBERS}`);
    for (const [name, operation] of [...current.entries()].sort()) console.log(`  ${operation.line(name)}`);
    for (const line of sampler.lines()) console.log(`  ${line}`);
  }
  stopping = true;
  await Promise.all(workers);
  // The last events travel for a moment after the last change.
  const deadline = Date.now() + 30_000;
  while (delivered() < changes * SUBSCRIBERS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  console.log(
    `\nfinal: events delivered/expected ${delivered()}/${changes * SUBSCRIBERS}, ${subscribers.filter((s) => s.results.some((r) => r.errors)).length} subscribers saw errors`,
  );
  for (const line of sampler.lines()) console.log(`  ${line}`);
  console.log(`  bench process RSS ${await rssMiB(process.pid)} MiB; slopes are least-squares MiB per minute over the run`);
  await Promise.all(subscribers.map((s) => s.close()));
} finally {
  stopping = true;
  await fixture.close();
}
