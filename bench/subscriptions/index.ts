/**
 * `npm run bench:subscriptions`: N subscribers of the gateway, each with a token of its own
 * (distinct users, VIEWER and PRODUCTION: two scope sets), spread over three operations with
 * different selections and filters; M events published on the events exchange with amqplib at a
 * fixed rate. It prints delivered/expected (and duplicates: exactly once), latency p50/p95/p99
 * from publish to receipt, the gateway's upstream count against the distinct
 * (operation, variables, scopes) groups, CPU per event of each service (from `/proc`) and the
 * gateway's RSS.
 *
 * It builds the product (`npm run build`) and runs the compiled services with
 * `NODE_ENV=production` on a database, exchange, queue and Redis prefix of its own, removed at
 * the end. The subscribers run in the bench's own process.
 *
 * Variables: `BENCH_SUBSCRIBERS` (100, 1000 or 3000; default 1000), `BENCH_EVENTS` (default 200),
 * `BENCH_RATE` (events per second, default 20), `BENCH_WARMUP` (events published and delivered
 * before the measurement, default 40; their latency is printed apart), `BENCH_SHARED_TOKEN=1`
 * (every subscriber with one token, the old case), `BENCH_SKIP_BUILD=1` (reuse `dist/`).
 */
import { randomBytes, randomUUID } from "node:crypto";
import amqp from "amqplib";
import { readBackingServices } from "#lib/config.js";
import { assertEventsExchange } from "#lib/events/broker.js";
import { withClient } from "../../scripts/database.js";
import { seedBenchData } from "../gateway/data.js";
import { startOurService, type BenchProcess } from "../gateway/processes.js";
import { openBenchRun } from "../support/run.js";
import { buildProduct } from "../support/build.js";
import { cpuMs, percentile, rssMiB } from "../support/stats.js";
import { openSubscriber, type BenchSubscriber } from "./subscribers.js";

const N = Number(process.env.BENCH_SUBSCRIBERS || 1000);
const M = Number(process.env.BENCH_EVENTS || 200);
const RATE = Number(process.env.BENCH_RATE || 20);
const SHARED_TOKEN = process.env.BENCH_SHARED_TOKEN === "1";
const WARMUP = Number(process.env.BENCH_WARMUP ?? 40);

/** Three operations: different selections and filters, every one matching the bench's events. */
const OPERATIONS = [
  /* GraphQL */ `subscription { batchStatusChanged { eventId newStatus batch { id batchNumber } changedBy { name email } } }`,
  /* GraphQL */ `subscription { batchStatusChanged(statuses: [IN_PROGRESS, QA_HOLD]) { eventId oldStatus newStatus changedBy { name } } }`,
  /* GraphQL */ `subscription($batchId: ID) { batchStatusChanged(batchId: $batchId) { eventId newStatus reason batch { status } } }`,
];

buildProduct();

const run = await openBenchRun();
const { exchange, started } = run;
const metricsToken = randomBytes(24).toString("hex");
run.env.METRICS_TOKEN = metricsToken;
const subscribers: BenchSubscriber[] = [];
const broker = await amqp.connect(readBackingServices().amqpUrl);

/** One figure of a service's `/metrics`, summed over its labels. */
async function metric(service: BenchProcess, name: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

try {
  const channel = await broker.createConfirmChannel();
  await assertEventsExchange(channel, exchange);
  const data = await seedBenchData(run.databaseUrl, { creators: 2, batches: 5, planned: 1 });
  // An event other systems would publish: a change the batch's audit trail records (checked by the consumer).
  const [change] = await withClient(run.databaseUrl, (db) =>
    db
      .query<{ changed_by: string }>(`SELECT changed_by::text FROM production.batch_status_changes WHERE batch_id = $1 AND to_status = 'IN_PROGRESS'`, [
        data.batchId,
      ])
      .then((r) => r.rows),
  );

  const { auth, user, production, qa } = await run.startSubgraphs();
  const gateway = await startOurService("gateway", run.env);
  started.push(gateway);
  const all = { gateway, auth, user, production, qa };

  // Tokens: one per subscriber (a user of its own, two in three VIEWER, one in three PRODUCTION,
  // independently of the operation), or one for all.
  const sign = (i: number) => {
    const role = Math.floor(i / OPERATIONS.length) % 3 === 2 ? "PRODUCTION" : "VIEWER";
    return { role, token: run.sign({ id: randomUUID(), email: `sub${i}@bench.example.com` }, [role]) };
  };
  const shared = sign(0);
  const groups = new Set<string>();
  const rssIdle = await rssMiB(gateway.pid);
  const openStarted = performance.now();
  for (let first = 0; first < N; first += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, N - first) }, async (_, k) => {
        const i = first + k;
        const { role, token } = SHARED_TOKEN ? shared : sign(i);
        const operation = i % OPERATIONS.length;
        groups.add(`${operation} ${role}`);
        subscribers.push(await openSubscriber(gateway.url, token, operation, OPERATIONS[operation]!, operation === 2 ? { batchId: data.batchId } : {}));
      }),
    );
  }
  // Every subscription started at the gateway, and every upstream at the production subgraph.
  await until("the subscriptions", async () => (await metric(gateway, "graphql_subscriptions_active")) === N);
  await until(
    "the upstreams",
    async () => (await metric(production, "graphql_subscriptions_active")) === (await metric(gateway, "graphql_subscription_upstreams")),
  );
  const openSeconds = (performance.now() - openStarted) / 1000;
  const upstreams = await metric(gateway, "graphql_subscription_upstreams");
  const rssSubscribed = await rssMiB(gateway.pid);

  const body = JSON.stringify({ batch_id: data.batchId, old_status: "PLANNED", new_status: "IN_PROGRESS", changed_by: change!.changed_by });
  const sentAt = new Map<string, number>();
  /** Publishes `count` events at `RATE` (event i leaves at the start + i / RATE seconds, however long publishing took) and returns their ids. */
  const publish = async (count: number) => {
    const ids: string[] = [];
    const begin = performance.now();
    for (let i = 0; i < count; i++) {
      const wait = begin + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const id = randomUUID();
      ids.push(id);
      sentAt.set(id, performance.now());
      channel.publish(exchange, "batch.status.changed", Buffer.from(body), { persistent: true, messageId: id, contentType: "application/json" });
    }
    await channel.waitForConfirms();
    return ids;
  };
  const deliveredOf = (ids: string[]) => subscribers.reduce((sum, s) => sum + ids.filter((id) => s.received.has(id)).length, 0);
  const latenciesOf = (ids: string[]) =>
    subscribers.flatMap((s) => ids.flatMap((id) => (s.receivedAt.has(id) ? [s.receivedAt.get(id)! - sentAt.get(id)!] : []))).sort((a, b) => a - b);
  const ms = (value: number) => `${value.toFixed(1)} ms`;

  // Warm-up: the first events run the fan-out and the enrichment before V8 has optimised them.
  const warmupIds = await publish(WARMUP);
  await until("the warm-up deliveries", async () => deliveredOf(warmupIds) >= N * WARMUP || subscribers.some((s) => s.ended !== undefined), 60_000).catch(
    () => undefined,
  );
  const warmup = latenciesOf(warmupIds);

  const cpuBefore = Object.fromEntries(await Promise.all(Object.entries(all).map(async ([name, p]) => [name, await cpuMs(p.pid)] as const)));
  const begin = performance.now();
  const ids = await publish(M);
  const expected = N * M;
  await until("the deliveries", async () => deliveredOf(ids) >= expected || subscribers.some((s) => s.ended !== undefined), 60_000).catch(() => undefined);
  const seconds = (performance.now() - begin) / 1000;
  const cpuAfter = Object.fromEntries(await Promise.all(Object.entries(all).map(async ([name, p]) => [name, await cpuMs(p.pid)] as const)));
  const rssAfter = await rssMiB(gateway.pid);

  const latencies = latenciesOf(ids);
  const duplicates = subscribers.reduce((sum, s) => sum + [...s.received.values()].reduce((d, n) => d + n - 1, 0), 0);
  const faulty = subscribers.reduce((sum, s) => sum + s.faulty, 0);
  const withErrors = subscribers.reduce((sum, s) => sum + s.withErrors, 0);
  const ended = subscribers.filter((s) => s.ended !== undefined);
  const cpu = Object.fromEntries(Object.keys(all).map((name) => [name, (cpuAfter[name]! - cpuBefore[name]!) / M]));
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);

  console.log(
    `subscribers ${N} (${SHARED_TOKEN ? "one shared token" : `${N} distinct users and tokens`}), ${OPERATIONS.length} operations, events ${M} at ${RATE}/s`,
  );
  console.log(
    `delivered/expected ${deliveredOf(ids)}/${expected}, duplicates ${duplicates}, delivered with an error ${withErrors}, without an event ${faulty}, subscribers ended early ${ended.length}${ended[0] ? ` (${ended[0].ended})` : ""}`,
  );
  console.log(`latency publish->receipt p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}`);
  // The same by second of publishing (`ids` are in publishing order, RATE a second): a tail that grows is a backlog.
  const bySecond: string[] = [];
  for (let first = 0; first < M; first += RATE) bySecond.push(percentile(latenciesOf(ids.slice(first, first + RATE)), 99).toFixed(0));
  console.log(`p99 by second of publishing: ${bySecond.join(", ")} ms`);
  console.log(
    `warm-up (${WARMUP} events before the measurement, ${deliveredOf(warmupIds)}/${N * WARMUP} delivered): p50 ${ms(percentile(warmup, 50))}, p99 ${ms(percentile(warmup, 99))}`,
  );
  console.log(`upstreams ${upstreams} for ${SHARED_TOKEN ? OPERATIONS.length : groups.size} distinct (operation, variables, scopes) groups`);
  console.log(
    `CPU per event: ${Object.entries(cpu)
      .map(([name, value]) => `${name} ${ms(value)}`)
      .join(", ")}; total ${ms(total)} (over ${seconds.toFixed(1)} s)`,
  );
  console.log(
    `gateway RSS ${rssIdle} MiB idle, ${rssSubscribed} MiB with ${N} subscribers (opened in ${openSeconds.toFixed(1)} s), ${rssAfter} MiB after the events`,
  );
} finally {
  await Promise.allSettled(subscribers.map((s) => s.client.dispose()));
  await broker.close().catch(() => undefined);
  await run.close();
}
