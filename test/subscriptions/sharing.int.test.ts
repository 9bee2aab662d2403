import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { readBackingServices } from "#lib/config.js";
import { graphql, readCounter } from "../support/graphql.js";
import { subscribe, type TestSubscription } from "../support/subscriptions.js";
import { bearer, startedResult, STATUS_CHANGED, useSubscriptionStack } from "./batches.js";

/**
 * Subscribers with their own tokens share one upstream subscription and one enrichment per
 * event when their operation, variables and scopes are the same; members come and go
 * (log out, are revoked, read too slowly) without disturbing the others; a subgraph down
 * leaves the event delivered with what resolved. Every wait is on a signal: the gateway's
 * upstream gauge, the production subgraph's subscriptions, Redis' subscribers, or the events.
 */
// Sign-ins hash passwords: on a busy machine they may take longer than the default subgraph timeout.
const world = useSubscriptionStack({ env: { SUBSCRIPTION_BUFFER: "4", WS_MAX_SUBSCRIPTIONS: "300", AUTH_SUBGRAPH_TIMEOUT_MS: "20000" } });

let redis: Redis;
beforeAll(() => {
  redis = new Redis(readBackingServices().redisUrl);
});
afterAll(async () => {
  await redis?.quit();
});

const metric = (service: "gateway" | "production", name: string) => readCounter(world.fixture.stack[service].url, name);

/**
 * Waits until the gateway holds `upstreams` shared upstreams for `subscriptions` client
 * subscriptions, and each upstream is live at the production subgraph (its graphql-ws
 * subscription started, Redis SUBSCRIBE of the events' channel acknowledged).
 */
async function live(upstreams: number, subscriptions: number) {
  await expect.poll(() => metric("gateway", "graphql_subscriptions_active"), { timeout: 20_000 }).toBe(subscriptions);
  await expect.poll(() => metric("gateway", "graphql_subscription_upstreams"), { timeout: 20_000 }).toBe(upstreams);
  await expect.poll(() => metric("production", "graphql_subscriptions_active"), { timeout: 20_000 }).toBe(upstreams);
  if (upstreams === 0) return;
  const channel = `${world.fixture.stack.env.REDIS_PREFIX}events:batch.status.changed`;
  await expect.poll(async () => Number(((await redis.pubsub("NUMSUB", channel)) as [string, number])[1]), { timeout: 20_000 }).toBeGreaterThan(0);
}

/** A new user with `role`, created by the admin, and a token of theirs. */
async function newUser(role: "VIEWER" | "PRODUCTION") {
  const admin = await world.fixture.login("admin");
  const email = `sub-${randomBytes(4).toString("hex")}@example.com`;
  const password = `pw-${randomBytes(8).toString("hex")}-long`;
  const created = await graphql(
    world.gateway,
    /* GraphQL */ `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
    { input: { email, name: "Sam Subscriber", roles: [role], password } },
    admin,
  );
  expect(created.errors).toBeUndefined();
  const login = await graphql(world.gateway, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`, {
    e: email,
    p: password,
  });
  expect(login.errors).toBeUndefined();
  return { id: created.data!.createUser.id as string, token: login.data!.login.accessToken as string, admin };
}

const closeAll = (subs: TestSubscription[]) => Promise.all(subs.map((s) => s.close()));

describe("sharing by operation, variables and scopes", () => {
  it("shares one upstream between two users with the same scopes, and opens another for different scopes", async () => {
    const batch = await world.createBatch();
    const other = await newUser("VIEWER");
    const a = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
    const b = subscribe(world.gateway, bearer(other.token), STATUS_CHANGED, { batchId: batch.id });
    await live(1, 2);
    const c = subscribe(world.gateway, bearer(world.tokens.production), STATUS_CHANGED, { batchId: batch.id });
    await live(2, 3);

    await world.changeStatus(batch.id, "IN_PROGRESS", world.tokens.production, "shared");
    const expected = startedResult(batch, { reason: "shared" });
    for (const sub of [a, b, c]) expect(await sub.waitFor(1)).toEqual([expected]);
    await closeAll([a, b, c]);
    await live(0, 0);
  });

  it("ends only the subscription of a member who logs out; the others keep receiving", async () => {
    const batch = await world.createBatch();
    const leaving = await world.fixture.login("viewer");
    const other = await newUser("VIEWER");
    const a = subscribe(world.gateway, bearer(leaving), STATUS_CHANGED, { batchId: batch.id });
    const b = subscribe(world.gateway, bearer(other.token), STATUS_CHANGED, { batchId: batch.id });
    await live(1, 2);

    const logout = await graphql(world.gateway, `mutation { logout }`, {}, leaving);
    expect(logout.errors).toBeUndefined();
    expect(await a.closed).toEqual({ code: 4401, reason: "Unauthorized: token revoked" });
    await live(1, 1);

    await world.changeStatus(batch.id, "IN_PROGRESS");
    expect((await b.waitFor(1))[0]!.data!.batchStatusChanged).toMatchObject({ newStatus: "IN_PROGRESS", changedBy: { email: "production@example.com" } });
    expect(a.results).toEqual([]);
    await closeAll([a, b]);
    await live(0, 0);
  });

  it("gives a revoked member nothing after the revocation, the others everything", async () => {
    const batch = await world.createBatch();
    const revoked = await newUser("VIEWER");
    const a = subscribe(world.gateway, bearer(revoked.token), STATUS_CHANGED, { batchId: batch.id });
    const b = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
    await live(1, 2);
    await world.changeStatus(batch.id, "IN_PROGRESS");
    await a.waitFor(1);
    await b.waitFor(1);

    // Deactivating a user revokes every token of theirs.
    const deleted = await graphql(world.gateway, `mutation($id: ID!) { deleteUser(id: $id) { active } }`, { id: revoked.id }, revoked.admin);
    expect(deleted.errors).toBeUndefined();
    expect(await a.closed).toEqual({ code: 4401, reason: "Unauthorized: token revoked" });
    await world.changeStatus(batch.id, "QA_HOLD");
    expect((await b.waitFor(2)).map((r) => r.data!.batchStatusChanged.newStatus)).toEqual(["IN_PROGRESS", "QA_HOLD"]);
    expect(a.results.map((r) => r.data!.batchStatusChanged.newStatus)).toEqual(["IN_PROGRESS"]);
    await closeAll([a, b]);
    await live(0, 0);
  });
});

/** A started batch, and a viewer's subscription to its status changes, live at the gateway. */
async function viewerWatchingStartedBatch() {
  const batch = await world.startedBatch();
  const sub = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
  await live(1, 1);
  return { batch, sub };
}

describe("legacy payloads", () => {
  it("completes a bare legacy payload that names no user, changedBy as the audit trail records it, never data: null", async () => {
    // The change the legacy system reports must be in the audit trail: the batch was started here first.
    const { batch, sub } = await viewerWatchingStartedBatch();
    const messageId = await world.fixture.publishLegacyStart(batch.id);
    const [legacy] = await sub.waitFor(1);
    expect(legacy).toEqual(startedResult(batch, { eventId: messageId }));
    await sub.close();
    await live(0, 0);
  });
});

describe("backpressure", () => {
  it("closes a client that stops reading with 4008, counts it, and the others miss nothing", async () => {
    const batch = await world.startedBatch();
    // The slow client: one socket, many subscriptions of the same group, so that each event
    // sends it many results and its buffers fill after a few events.
    const sockets: WebSocket[] = [];
    class Recorded extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols);
        sockets.push(this);
      }
    }
    let onClosed!: (event: { code: number; reason: string }) => void;
    const slowClosed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
    const slow = createClient({
      url: `${world.gateway.replace(/^http/, "ws")}/graphql`,
      webSocketImpl: Recorded,
      connectionParams: bearer(world.tokens.viewer),
      retryAttempts: 0,
      on: { closed: (event) => onClosed({ code: (event as CloseEvent).code, reason: String((event as CloseEvent).reason) }) },
    });
    const copies = 250;
    for (let i = 0; i < copies; i++)
      slow.subscribe({ query: STATUS_CHANGED, variables: { batchId: batch.id } }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    const reader = subscribe(world.gateway, bearer(world.tokens.production), STATUS_CHANGED, { batchId: batch.id });
    const sameGroup = subscribe(world.gateway, bearer(world.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
    await live(2, copies + 2);
    const closesBefore = await metric("gateway", "graphql_subscription_slow_closes_total");

    sockets[0]!.pause();
    let published = 0;
    while ((await metric("gateway", "graphql_subscription_slow_closes_total")) === closesBefore) {
      if (published === 500) throw new Error("the slow client was never closed");
      await world.fixture.publishLegacyStart(batch.id);
      published += 1;
    }
    expect(await metric("gateway", "graphql_subscription_slow_closes_total")).toBe(closesBefore + 1);
    // What the socket still holds is read, then the close frame.
    sockets[0]!.resume();
    expect(await slowClosed).toEqual({ code: 4008, reason: "subscriber too slow; resume with after" });

    for (const sub of [reader, sameGroup]) {
      const results = await sub.waitFor(published, 30_000);
      expect(results.every((r) => r.errors === undefined && r.data!.batchStatusChanged.changedBy.email === "production@example.com")).toBe(true);
    }
    await closeAll([reader, sameGroup]);
    await slow.dispose();
    await live(0, 0);
  });
});

describe("a subgraph down", () => {
  it("delivers events with changedBy: null and an error naming the user subgraph when it is stopped", async () => {
    const { batch, sub } = await viewerWatchingStartedBatch();
    await world.fixture.stack.stopSubgraph("user");
    // Started again whatever happens: the file's other tests need it.
    onTestFinished(() => world.fixture.stack.restartSubgraph("user"));
    const messageId = await world.fixture.publishLegacyStart(batch.id);
    const [result] = await sub.waitFor(1);
    expect(result).toEqual({
      ...startedResult(batch, { eventId: messageId, changedBy: null }),
      errors: [
        {
          message: expect.stringContaining('Subgraph "user" is unavailable'),
          path: ["batchStatusChanged", "changedBy"],
          extensions: expect.objectContaining({ code: "SERVICE_UNAVAILABLE", serviceName: "user" }),
        },
      ],
    });
    await sub.close();
  });
});
