import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "../../subgraphs/production/test/operations.js";
import { graphql, readCounter } from "../support/graphql.js";
import { startService, type RunningService } from "../support/services.js";
import { settle, subscribe } from "../support/subscriptions.js";
import { startSubscriptionFixture, type SubscriptionFixture } from "./fixture.js";

/**
 * Two gateways, each in front of its own production instance; both instances consume the one
 * durable queue (competing consumers) and share Redis. Changes made through gateway A reach
 * the subscribers of both gateways, each exactly once.
 */
let fixture: SubscriptionFixture;
let productionB: RunningService;
let gatewayB: RunningService;

beforeAll(async () => {
  fixture = await startSubscriptionFixture();
  const { env, user } = fixture.stack;
  productionB = await startService("production", env);
  gatewayB = await startService("gateway", { ...env, USER_URL: user.url, PRODUCTION_URL: productionB.url });
});

afterAll(async () => {
  await Promise.all([gatewayB?.stop(), productionB?.stop()]);
  await fixture?.close();
});

const SUBSCRIPTION = /* GraphQL */ `subscription { batchStatusChanged { eventId newStatus changedBy { email } batch { id } } }`;

it("delivers 500 changes made through gateway A exactly once to subscribers on both gateways", { timeout: 180_000 }, async () => {
  const gatewayA = fixture.stack.gateway.url;
  const [production, qa, viewer] = await Promise.all([fixture.login("production"), fixture.login("qa"), fixture.login("viewer")]);
  const subscribers = [gatewayA, gatewayA, gatewayB.url, gatewayB.url].map((url) => subscribe(url, { token: viewer }, SUBSCRIPTION));
  await settle(2_000);
  // The two subscribers of gateway A (same operation, variables and scopes) share one upstream subscription.
  expect(await readCounter(gatewayA, "graphql_ws_connections")).toBe(2);
  expect(await readCounter(gatewayA, "graphql_subscriptions_active")).toBe(2);
  expect(await readCounter(gatewayA, "graphql_subscription_upstreams")).toBe(1);

  // 10 batches, 50 changes each (QA_HOLD, then rework to IN_PROGRESS), the batches in parallel.
  const call = async (query: string, variables: Record<string, unknown>, token: string) => {
    const result = await graphql(gatewayA, query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      const { createBatch } = await call(CREATE_BATCH, { input: batchInput(`MI-${randomBytes(4).toString("hex")}`) }, production);
      await call(CHANGE_STATUS, { id: createBatch.id, status: "IN_PROGRESS" }, production);
      for (let i = 0; i < 24; i++) {
        await call(CHANGE_STATUS, { id: createBatch.id, status: "QA_HOLD" }, production);
        await call(CHANGE_STATUS, { id: createBatch.id, status: "IN_PROGRESS", reason: "rework" }, qa);
      }
      await call(CHANGE_STATUS, { id: createBatch.id, status: "QA_HOLD" }, production);
    }),
  );

  await Promise.all(subscribers.map((s) => s.waitFor(500, 60_000)));
  await settle(2_000);
  for (const subscriber of subscribers) {
    expect(subscriber.results).toHaveLength(500);
    const events = subscriber.results.map((r) => r.data!.batchStatusChanged);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(500);
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
