import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "../../subgraphs/production/test/operations.js";
import { graphql, readCounter } from "../support/graphql.js";
import { startService, type RunningService } from "../support/services.js";
import { subscribe } from "../support/subscriptions.js";
import { startSubscriptionFixture, type ProcessFixtureStack, type SubscriptionFixture } from "./fixture.js";

/**
 * Two gateways, each in front of its own production instance; both instances consume the one
 * durable queue (competing consumers) and share Redis. Changes made through gateway A reach
 * the subscribers of both gateways, each exactly once.
 */
let fixture: SubscriptionFixture<ProcessFixtureStack>;
let productionB: RunningService;
let gatewayB: RunningService;

beforeAll(async () => {
  fixture = await startSubscriptionFixture({ processes: true });
  const { env, user } = fixture.stack;
  productionB = await startService("production", env);
  gatewayB = await startService("gateway", { ...env, USER_URL: user.url, PRODUCTION_URL: productionB.url });
});

afterAll(async () => {
  await Promise.all([gatewayB?.stop(), productionB?.stop()]);
  await fixture?.close();
});

/** 10 batches, 20 changes each: IN_PROGRESS, then 9 cycles of QA_HOLD and rework, then QA_HOLD. */
const BATCHES = 10;
const CYCLES = 9;
const CHANGES = BATCHES * (2 + 2 * CYCLES);

const SUBSCRIPTION = /* GraphQL */ `subscription($after: String) { batchStatusChanged(after: $after) { eventId newStatus changedBy { email } batch { id } } }`;

it(`delivers ${CHANGES} changes made through gateway A exactly once to subscribers on both gateways`, { timeout: 180_000 }, async () => {
  const gatewayA = fixture.stack.gateway.url;
  const [production, qa, viewer] = await Promise.all([fixture.login("production"), fixture.login("qa"), fixture.login("viewer")]);
  const call = async (query: string, variables: Record<string, unknown>, token: string) => {
    const result = await graphql(gatewayA, query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  // From an event made first on: every later change is replayed or delivered live, whenever each
  // subscription is up, so the changes can start at once.
  const { createBatch: anchor } = await call(CREATE_BATCH, { input: batchInput(`MI-${randomBytes(4).toString("hex")}`) }, production);
  const after = await fixture.lastEventId(anchor.id);
  const subscribers = [gatewayA, gatewayA, gatewayB.url, gatewayB.url].map((url) => subscribe(url, { token: viewer }, SUBSCRIPTION, { after }));
  // The two subscribers of gateway A (same operation, variables and scopes) share one upstream subscription.
  await expect.poll(() => readCounter(gatewayA, "graphql_subscriptions_active"), { timeout: 15_000 }).toBe(2);
  expect(await readCounter(gatewayA, "graphql_ws_connections")).toBe(2);
  await expect.poll(() => readCounter(gatewayA, "graphql_subscription_upstreams"), { timeout: 15_000 }).toBe(1);
  // Both of gateway B's attached too before any change: a subscriber joining a shared upstream late would start later.
  await expect.poll(() => readCounter(gatewayB.url, "graphql_subscriptions_active"), { timeout: 15_000 }).toBe(2);
  await expect.poll(() => readCounter(gatewayB.url, "graphql_subscription_upstreams"), { timeout: 15_000 }).toBe(1);

  // The batches in parallel.
  await Promise.all(
    Array.from({ length: BATCHES }, async () => {
      const { createBatch } = await call(CREATE_BATCH, { input: batchInput(`MI-${randomBytes(4).toString("hex")}`) }, production);
      await call(CHANGE_STATUS, { id: createBatch.id, status: "IN_PROGRESS" }, production);
      for (let i = 0; i < CYCLES; i++) {
        await call(CHANGE_STATUS, { id: createBatch.id, status: "QA_HOLD" }, production);
        await call(CHANGE_STATUS, { id: createBatch.id, status: "IN_PROGRESS", reason: "rework" }, qa);
      }
      await call(CHANGE_STATUS, { id: createBatch.id, status: "QA_HOLD" }, production);
    }),
  );

  await Promise.all(subscribers.map((s) => s.waitFor(CHANGES, 60_000)));
  // One more change, last: a duplicate of any before would have come before it.
  await call(CHANGE_STATUS, { id: anchor.id, status: "IN_PROGRESS" }, production);
  await Promise.all(subscribers.map((s) => s.waitFor(CHANGES + 1)));
  for (const subscriber of subscribers) {
    expect(subscriber.results).toHaveLength(CHANGES + 1);
    expect(subscriber.results[CHANGES]!.data!.batchStatusChanged.batch.id).toBe(anchor.id);
    const events = subscriber.results.slice(0, CHANGES).map((r) => r.data!.batchStatusChanged);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(CHANGES);
    expect(events.every((e) => e.changedBy.email === "production@example.com" || e.changedBy.email === "qa@example.com")).toBe(true);
  }
  await Promise.all(subscribers.map((s) => s.close()));
  // Nothing is left open behind the clients that left.
  for (const url of [gatewayA, gatewayB.url]) {
    await expect.poll(() => readCounter(url, "graphql_subscription_upstreams")).toBe(0);
    expect(await readCounter(url, "graphql_subscriptions_active")).toBe(0);
    await expect.poll(() => readCounter(url, "graphql_ws_connections")).toBe(0);
  }
});
