import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql } from "../support/graphql.js";
import { startService, type RunningService } from "../support/services.js";
import { subscribe } from "../support/subscriptions.js";
import { bearer, signInActors, STATUS_CHANGED, type Actors } from "../subscriptions/batches.js";
import { startSubscriptionFixture, type SubscriptionFixture } from "../subscriptions/fixture.js";
import { BATCHES, logout, ME, outcome, PATIENT, readiness, subscribers } from "./support/checks.js";
import { until } from "./support/freePort.js";
import { startPrivateRedis, type PrivateRedis } from "./support/redisServer.js";

/**
 * Redis restarted empty, flushed, or away for a while, under a running stack: revocations are
 * PostgreSQL's, so a logged-out token stays refused everywhere; subscriptions pick up again;
 * rate limits keep counting.
 */
let redis: PrivateRedis;
let fixture: SubscriptionFixture;
let actors: Actors;
let production: string;
let channel: string;

beforeAll(async () => {
  redis = await startPrivateRedis();
  fixture = await startSubscriptionFixture({ env: { REDIS_URL: redis.url, ...PATIENT } });
  actors = await signInActors(fixture);
  production = fixture.stack.production.url;
  channel = `${fixture.stack.env.REDIS_PREFIX}events:batch.status.changed`;
});

afterAll(async () => {
  await fixture?.close();
  await redis?.close();
});

/** A token that has been logged out through the gateway, refused there at once. */
async function loggedOutToken(): Promise<string> {
  const token = await fixture.login("viewer");
  expect(await outcome(actors.gateway, ME, token)).toBe("OK");
  await logout(actors.gateway, token);
  expect(await outcome(actors.gateway, ME, token)).toBe("UNAUTHENTICATED");
  return token;
}

describe("Redis restarted without persistence", () => {
  it("keeps refusing a token logged out before the restart, at the gateway and on the production subgraph's own port", async () => {
    const token = await loggedOutToken();
    await redis.restart();
    expect(await outcome(actors.gateway, ME, token)).toBe("UNAUTHENTICATED");
    expect(await outcome(production, BATCHES, token)).toBe("UNAUTHENTICATED");
    // Valid tokens still work, and new logouts still reach every service.
    const fresh = await fixture.login("viewer");
    expect(await outcome(production, BATCHES, fresh)).toBe("OK");
    await logout(actors.gateway, fresh);
    expect(await outcome(actors.gateway, ME, fresh)).toBe("UNAUTHENTICATED");
    await until("production refuses the new logout", async () => (await outcome(production, BATCHES, fresh)) === "UNAUTHENTICATED", 1_000, 20);
  });

  it("refuses a token logged out while Redis is down, everywhere within about a second", async () => {
    const token = await fixture.login("viewer");
    await redis.kill();
    try {
      await logout(actors.gateway, token);
      const started = Date.now();
      await until("the gateway refuses it", async () => (await outcome(actors.gateway, ME, token)) === "UNAUTHENTICATED", 3_000, 20);
      await until("production refuses it", async () => (await outcome(production, BATCHES, token)) === "UNAUTHENTICATED", 3_000, 20);
      expect(Date.now() - started).toBeLessThan(3_000);
      // Redis is optional for every service: still ready, Redis reported degraded.
      for (const service of [fixture.stack.gateway, fixture.stack.auth, fixture.stack.user, fixture.stack.production]) {
        const ready = await until(`${service.name} reports Redis degraded`, async () => {
          const report = await readiness(service.url);
          return report.body.degraded?.includes("redis") ? report : undefined;
        });
        expect(ready.status).toBe(200);
      }
    } finally {
      await redis.start();
    }
    expect(await outcome(actors.gateway, ME, token)).toBe("UNAUTHENTICATED");
  });

  it("delivers status changes to a subscriber that stayed connected through the restart", async () => {
    const batch = await actors.createBatch();
    const sub = subscribe(actors.gateway, bearer(actors.tokens.viewer), STATUS_CHANGED, { batchId: batch.id });
    await sub.connected;
    await subscribers(redis.url, channel);
    await actors.changeStatus(batch.id, "IN_PROGRESS");
    await sub.waitFor(1);
    await redis.restart();
    // Production subscribes again on the new server (ioredis resubscribes on reconnect).
    await subscribers(redis.url, channel);
    await actors.changeStatus(batch.id, "QA_HOLD");
    await actors.changeStatus(batch.id, "IN_PROGRESS", actors.tokens.qa, "rework");
    const results = await sub.waitFor(3, 20_000);
    expect(results.map((r) => r.data?.batchStatusChanged.newStatus)).toEqual(["IN_PROGRESS", "QA_HOLD", "IN_PROGRESS"]);
    expect(new Set(results.map((r) => r.data?.batchStatusChanged.eventId)).size).toBe(3);
    await sub.close();
  });
});

describe("Redis flushed", () => {
  it("keeps refusing a logged-out token, also in a service started after the flush", async () => {
    const token = await loggedOutToken();
    await redis.flush();
    expect(await outcome(actors.gateway, ME, token)).toBe("UNAUTHENTICATED");
    expect(await outcome(production, BATCHES, token)).toBe("UNAUTHENTICATED");
    let late: RunningService | undefined;
    try {
      late = await startService("production", fixture.stack.env);
      expect(await outcome(late.url, BATCHES, token)).toBe("UNAUTHENTICATED");
      expect(await outcome(late.url, BATCHES, actors.tokens.viewer)).toBe("OK");
    } finally {
      await late?.stop();
    }
  });

  it("keeps counting rate limits after a flush and while Redis is away", async () => {
    // A gateway of its own with a small anonymous quota, so that the stack's logins keep theirs.
    const { env, user, production: subgraph } = fixture.stack;
    const gateway = await startService("gateway", { ...env, USER_URL: user.url, PRODUCTION_URL: subgraph.url, RATE_LIMIT_ANONYMOUS: "5" });
    const refusedOf10 = async () => {
      let refused = 0;
      for (let i = 0; i < 10; i++) if ((await graphql(gateway.url, `{ __typename }`)).status === 429) refused += 1;
      return refused;
    };
    try {
      // The stack's own gateway counts its anonymous calls (the logins) under the same keys.
      expect(await refusedOf10()).toBeGreaterThanOrEqual(5);
      await redis.flush();
      // The window's count went with the keys: a fresh quota, then refusals again.
      expect(await refusedOf10()).toBe(5);
      await redis.kill();
      try {
        // Counted in the gateway's memory meanwhile, never "unlimited".
        expect(await refusedOf10()).toBeGreaterThanOrEqual(5);
      } finally {
        await redis.start();
      }
    } finally {
      await gateway.stop();
    }
  });
});
