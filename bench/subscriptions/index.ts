/**
 * `npm run bench:subscriptions`: opens N subscribers (`BENCH_SUBSCRIBERS`, default 1000) on a
 * gateway, publishes M events (`BENCH_EVENTS`, default 100, one every `BENCH_INTERVAL_MS`,
 * default 20) on the events exchange with amqplib, and prints delivered/expected, latency
 * p50/p95/p99 from publish to receipt, and the gateway's RSS. It runs its own stack (database,
 * exchange, queue, Redis prefix of its own, removed at the end), as the e2e tests do.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readBackingServices } from "../../lib/config.js";
import { createEnvelope } from "../../lib/events/envelope.js";
import { messageProperties } from "../../lib/events/publisher.js";
import { batchInput, CREATE_BATCH } from "../../subgraphs/production/test/operations.js";
import { createTestDatabase } from "../../test/support/database.js";
import { graphql } from "../../test/support/graphql.js";
import { subscribe, type TestSubscription } from "../../test/support/subscriptions.js";
import { startSubscriptionFixture } from "../../test/subscriptions/fixture.js";
import { percentile, rssMiB } from "../support/stats.js";

const N = Number(process.env.BENCH_SUBSCRIBERS || 1000);
const M = Number(process.env.BENCH_EVENTS || 100);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS || 20);
/** A bench measures over time: it lets the subscribers connect, and paces its events. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const QUERY = /* GraphQL */ `subscription { batchStatusChanged { eventId newStatus changedBy { email } batch { id status } } }`;

const fixture = await startSubscriptionFixture({
  redisPrefix: `batch-bench-${process.pid}-${randomBytes(3).toString("hex")}:`,
  database: await createTestDatabase(readBackingServices().databaseUrl),
});
try {
  const gateway = fixture.stack.gateway.url;
  const gatewayPid = fixture.stack.gateway.process.pid!;
  const [production, viewer] = await Promise.all([fixture.login("production"), fixture.login("viewer")]);
  const created = await graphql(gateway, CREATE_BATCH, { input: batchInput(`BENCH-${randomBytes(3).toString("hex")}`) }, production);
  const batch = created.data!.createBatch as { id: string; createdBy: { id: string } };
  const rssBefore = await rssMiB(gatewayPid);

  // Every subscriber on its own WebSocket, as N browser tabs would be.
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const subscribers: TestSubscription[] = [];
  for (let i = 0; i < N; i++) subscribers.push(subscribe(gateway, { authorization: `Bearer ${viewer}` }, QUERY));
  await pause(3_000);
  const rssSubscribed = await rssMiB(gatewayPid);

  for (let i = 0; i < M; i++) {
    const envelope = createEnvelope(
      "batch.status.changed",
      { batch_id: batch.id, old_status: "PLANNED", new_status: "IN_PROGRESS", reason: `bench ${i}`, changed_by: batch.createdBy.id },
      { source: "bench", correlationId: null, id: randomUUID() },
    );
    sentAt.set(envelope.id, performance.now());
    await fixture.publishRaw(envelope.type, JSON.stringify(envelope), messageProperties(envelope));
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && subscribers.some((s) => s.results.length < M)) await pause(200);
  const rssAfter = await rssMiB(gatewayPid);
  for (const s of subscribers) {
    s.results.forEach((result, i) => {
      const sent = sentAt.get(result.data?.batchStatusChanged?.eventId);
      if (sent !== undefined) latencies.push(s.receivedAt[i]! - sent);
    });
  }
  latencies.sort((a, b) => a - b);
  const delivered = subscribers.reduce((sum, s) => sum + s.results.length, 0);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(`subscribers ${N}, events ${M}, one every ${INTERVAL_MS} ms`);
  console.log(`delivered/expected ${delivered}/${N * M}`);
  console.log(`latency publish->receipt p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}`);
  console.log(`gateway RSS ${rssBefore} MiB idle, ${rssSubscribed} MiB with ${N} subscribers, ${rssAfter} MiB after the events`);
  await Promise.all(subscribers.map((s) => s.close()));
} finally {
  await fixture.close();
}
