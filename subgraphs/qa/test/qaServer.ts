import { randomBytes, randomUUID } from "node:crypto";
import { inject } from "vitest";
import type { Role } from "#lib/auth/scopes.js";
import { signAccessToken } from "#lib/auth/tokens.js";
import type { QaConfig } from "#lib/config.js";
import type { PrismaClient } from "#lib/prisma.js";
import type { Runtime } from "#lib/server/runtime.js";
import type { BatchStatus } from "../../../generated/prisma/enums.js";
import { startFakeAuth, type FakeAuth } from "../../../test/support/fakeAuth.js";
import { startFakeProduction, type FakeProduction } from "../../../test/support/fakeProduction.js";
import { graphql, type GraphQLResult } from "../../../test/support/graphql.js";
import { startInProcessSubgraph } from "../../../test/support/inProcessSubgraph.js";
import type { ProductionBatch } from "../src/batches/productionBatches.js";
import { createQaServer } from "../src/server.js";

/** A caller of the tests: a user id (no user row is needed here) and a signed token. */
export interface Caller {
  userId: string;
  token: string;
}

/** The qa subgraph in this process, with stand-ins for auth and production. */
export interface TestQaServer {
  url: string;
  runtime: Runtime<QaConfig>;
  auth: FakeAuth;
  production: FakeProduction;
  /** Every line it logged from `info` on, parsed. */
  logs: Array<Record<string, unknown>>;
  /** A new user with `role`, signed in. */
  signIn(role: Role): Caller;
  /** A new batch production knows, of `productCode`, in `status`. */
  addBatch(productCode: string, status?: BatchStatus): ProductionBatch;
  call: (query: string, variables?: Record<string, unknown>, token?: string) => Promise<GraphQLResult>;
  stop(): Promise<void>;
}

/** A product code no other test uses: tests share the run's database. */
export const uniqueProduct = (prefix = "TEST") => `${prefix}-${randomBytes(4).toString("hex").toUpperCase()}`;

/**
 * Starts the qa subgraph on this run's database, trusting a fake auth's keys and asking a fake
 * production for batches. No relay and no subscription consumer: events stay in the outbox,
 * where the tests read them.
 */
export async function startQaServer(): Promise<TestQaServer> {
  const auth = await startFakeAuth();
  const production = await startFakeProduction();
  try {
    const { url, runtime, logs, stop } = await startInProcessSubgraph(
      "qa",
      (runtime) => createQaServer(runtime, { relay: false, subscriptions: false }),
      { AUTH_URL: auth.url, PRODUCTION_URL: production.url, REDIS_PREFIX: `${inject("redisPrefix")}qa-${randomBytes(3).toString("hex")}:` },
      "info",
    );
    const { issuer, audience } = runtime.config;
    return {
      url,
      runtime,
      auth,
      production,
      logs,
      signIn(role) {
        const userId = randomUUID();
        const token = signAccessToken(
          { id: userId, email: `${role.toLowerCase()}-${userId.slice(0, 8)}@example.com`, roles: [role] },
          { privateKey: auth.privateKey, kid: auth.kid, issuer, audience, ttlSeconds: 300 },
        );
        return { userId, token };
      },
      addBatch(productCode, status = "IN_PROGRESS") {
        const batch = { id: randomUUID(), batchNumber: `B-${randomBytes(4).toString("hex").toUpperCase()}`, status, productCode };
        production.batches.set(batch.id, batch);
        return batch;
      },
      call: (query, variables, token) => graphql(url, query, variables, token),
      async stop() {
        await stop();
        await production.stop();
        await auth.stop();
      },
    };
  } catch (err) {
    await production.stop();
    await auth.stop();
    throw err;
  }
}

/**
 * A release decision written straight into `qa.release_decisions`, as a signed one would be,
 * for a batch production still shows in QA_HOLD (the decision not applied yet). Resolves with its time.
 */
export async function insertDecision(prisma: PrismaClient, batch: Pick<ProductionBatch, "id" | "batchNumber">, signedById: string): Promise<Date> {
  const signedAt = new Date();
  await prisma.releaseDecision.create({
    data: {
      batchId: batch.id,
      batchNumber: batch.batchNumber,
      decision: "RELEASED",
      signedById,
      signedByName: "Quinn QA",
      signedByEmail: "quinn@example.com",
      meaning: "approved for release",
      signedAt,
      manifestHash: "0".repeat(64),
    },
  });
  return signedAt;
}
