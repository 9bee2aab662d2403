import { describe, expect, it } from "vitest";
import { graphql } from "../../support/graphql.js";
import { startService, type RunningService } from "../../support/services.js";
import { watchedBatch } from "../support/changes.js";
import { BATCHES, logout, ME, outcome, readiness, subscribers } from "../support/checks.js";
import { until } from "../../support/until.js";
import type { FaultWorld } from "../support/world.js";

/**
 * Redis restarted empty, flushed, evicting keys, or away for a while, under a running stack: revocations are
 * PostgreSQL's, so a logged-out token stays refused everywhere; subscriptions pick up again;
 * rate limits keep counting.
 */
/** A token that has been logged out through the gateway, refused there at once. */
async function loggedOutToken(world: FaultWorld): Promise<string> {
  const { fixture, actors } = world;
  const token = await fixture.login("viewer");
  expect(await outcome(actors.gateway, ME, token)).toBe("OK");
  await logout(actors.gateway, token);
  expect(await outcome(actors.gateway, ME, token)).toBe("UNAUTHENTICATED");
  return token;
}

/** `token` is refused at the gateway and on the production subgraph's own port. */
async function expectRefused(world: FaultWorld, token: string): Promise<void> {
  expect(await outcome(world.actors.gateway, ME, token)).toBe("UNAUTHENTICATED");
  expect(await outcome(world.fixture.stack.production.url, BATCHES, token)).toBe("UNAUTHENTICATED");
}

export function redisCases(world: FaultWorld): void {
  describe("Redis restarted without persistence", () => {
    it("keeps refusing a token logged out before the restart, at the gateway and on the production subgraph's own port", async () => {
      const token = await loggedOutToken(world);
      await world.redis.restart();
      await expectRefused(world, token);
      // Valid tokens still work, and new logouts still reach every service.
      const fresh = await world.fixture.login("viewer");
      expect(await outcome(world.fixture.stack.production.url, BATCHES, fresh)).toBe("OK");
      await logout(world.actors.gateway, fresh);
      expect(await outcome(world.actors.gateway, ME, fresh)).toBe("UNAUTHENTICATED");
      await until(
        "production refuses the new logout",
        async () => (await outcome(world.fixture.stack.production.url, BATCHES, fresh)) === "UNAUTHENTICATED",
        1_000,
        20,
      );
    });

    it("refuses a token logged out while Redis is down, everywhere within about a second", async () => {
      const token = await world.fixture.login("viewer");
      await world.redis.kill();
      try {
        await logout(world.actors.gateway, token);
        const started = Date.now();
        await until("the gateway refuses it", async () => (await outcome(world.actors.gateway, ME, token)) === "UNAUTHENTICATED", 3_000, 20);
        await until("production refuses it", async () => (await outcome(world.fixture.stack.production.url, BATCHES, token)) === "UNAUTHENTICATED", 3_000, 20);
        expect(Date.now() - started).toBeLessThan(3_000);
        // Redis is optional for every service: still ready, Redis reported degraded.
        for (const service of [world.fixture.stack.gateway, world.fixture.stack.auth, world.fixture.stack.user, world.fixture.stack.production]) {
          const ready = await until(`${service.name} reports Redis degraded`, async () => {
            const report = await readiness(service.url);
            return report.body.degraded?.includes("redis") ? report : undefined;
          });
          expect(ready.status).toBe(200);
        }
      } finally {
        await world.redis.start();
      }
      expect(await outcome(world.actors.gateway, ME, token)).toBe("UNAUTHENTICATED");
    });

    it("delivers status changes to a subscriber that stayed connected through the restart", async () => {
      const { batch, sub } = await watchedBatch(world);
      await world.redis.restart();
      // Production subscribes again on the new server (ioredis resubscribes on reconnect).
      await subscribers(world.redis.url, world.channel);
      await world.actors.changeStatus(batch.id, "QA_HOLD");
      await world.actors.changeStatus(batch.id, "IN_PROGRESS", world.actors.tokens.qa, "rework");
      const results = await sub.waitFor(3, 20_000);
      expect(results.map((r) => r.data?.batchStatusChanged.newStatus)).toEqual(["IN_PROGRESS", "QA_HOLD", "IN_PROGRESS"]);
      expect(new Set(results.map((r) => r.data?.batchStatusChanged.eventId)).size).toBe(3);
      await sub.close();
    });
  });

  describe("Redis flushed", () => {
    it("keeps refusing a logged-out token, also in a service started after the flush", async () => {
      const token = await loggedOutToken(world);
      await world.redis.flush();
      await expectRefused(world, token);
      let late: RunningService | undefined;
      try {
        late = await startService("production", world.fixture.stack.env);
        expect(await outcome(late.url, BATCHES, token)).toBe("UNAUTHENTICATED");
        expect(await outcome(late.url, BATCHES, world.actors.tokens.viewer)).toBe("OK");
      } finally {
        await late?.stop();
      }
    });

    it("keeps counting rate limits after a flush and while Redis is away", async () => {
      // A gateway of its own with a small anonymous quota, so that the stack's logins keep theirs.
      const { env, user, production: subgraph } = world.fixture.stack;
      const gateway = await startService("gateway", { ...env, USER_URL: user.url, PRODUCTION_URL: subgraph.url, RATE_LIMIT_ANONYMOUS: "5" });
      const refusedOf10 = async () => {
        let refused = 0;
        for (let i = 0; i < 10; i++) if ((await graphql(gateway.url, `{ __typename }`)).status === 429) refused += 1;
        return refused;
      };
      try {
        // The stack's own gateway counts its anonymous calls (the logins) under the same keys.
        expect(await refusedOf10()).toBeGreaterThanOrEqual(5);
        await world.redis.flush();
        // The window's count went with the keys: a fresh quota, then refusals again.
        expect(await refusedOf10()).toBe(5);
        await world.redis.kill();
        try {
          // Counted in the gateway's memory meanwhile, never "unlimited".
          expect(await refusedOf10()).toBeGreaterThanOrEqual(5);
        } finally {
          await world.redis.start();
        }
      } finally {
        await gateway.stop();
      }
    });
  });

  describe("Redis evicting keys under memory pressure", () => {
    it("keeps refusing a logged-out token once every key Redis held has been evicted", async () => {
      const token = await loggedOutToken(world);
      expect(await world.redis.evictAll()).toBeGreaterThan(0);
      await expectRefused(world, token);
      expect(await outcome(world.fixture.stack.production.url, BATCHES, world.actors.tokens.viewer)).toBe("OK");
    });
  });
}
