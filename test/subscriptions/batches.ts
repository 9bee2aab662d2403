import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "../../subgraphs/production/test/operations.js";
import { graphql } from "../support/graphql.js";
import { startSubscriptionFixture, type BaseFixtureStack, type FixtureOptions, type SubscriptionFixture } from "./fixture.js";

/** The subscription most tests open: every field, `changedBy` from the user subgraph. */
export const STATUS_CHANGED = /* GraphQL */ `
  subscription Changes($batchId: ID, $statuses: [BatchStatus!], $after: String) {
    batchStatusChanged(batchId: $batchId, statuses: $statuses, after: $after) {
      eventId oldStatus newStatus reason
      changedBy { email name }
      batch { id batchNumber status }
    }
  }
`;

/** What STATUS_CHANGED delivers when production@example.com (or, by default, a legacy publisher naming them) starts a PLANNED batch. */
export function startedResult(
  batch: { id: string; batchNumber: string },
  { eventId = expect.any(String), reason = null, changedBy = { email: "production@example.com", name: "Pat Production" } }: StartedResultOptions = {},
) {
  return {
    data: {
      batchStatusChanged: {
        eventId,
        oldStatus: "PLANNED",
        newStatus: "IN_PROGRESS",
        reason,
        changedBy,
        batch: { id: batch.id, batchNumber: batch.batchNumber, status: "IN_PROGRESS" },
      },
    },
  };
}

interface StartedResultOptions {
  /** Default: any id. */
  eventId?: unknown;
  reason?: string | null;
  /** Default: production@example.com as the user subgraph resolves them. */
  changedBy?: { email: string; name: string } | null;
}

/** `connectionParams` carrying a token the way HTTP clients send it. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The demo users signed in on a fixture, and the batch changes the tests make through its gateway. */
export interface Actors {
  gateway: string;
  tokens: Record<"production" | "qa" | "viewer", string>;
  /** The user id of production@example.com, for events other systems publish. */
  productionUserId: string;
  createBatch(): Promise<{ id: string; batchNumber: string }>;
  /** A batch production@example.com has started (IN_PROGRESS): a legacy start event of it matches its audit trail. */
  startedBatch(): Promise<{ id: string; batchNumber: string }>;
  changeStatus(id: string, status: string, token?: string, reason?: string): Promise<void>;
}

export async function signInActors(fixture: SubscriptionFixture<BaseFixtureStack>): Promise<Actors> {
  const gateway = fixture.stack.gateway.url;
  const [production, qa, viewer] = await Promise.all([fixture.login("production"), fixture.login("qa"), fixture.login("viewer")]);
  const tokens = { production, qa, viewer };
  const me = await graphql(gateway, `{ me { id } }`, {}, production);
  const createBatch = async () => {
    const input = batchInput(`SUB-${randomBytes(4).toString("hex").toUpperCase()}`);
    const created = await graphql(gateway, CREATE_BATCH, { input }, production);
    expect(created.errors).toBeUndefined();
    return created.data!.createBatch as { id: string; batchNumber: string };
  };
  const changeStatus: Actors["changeStatus"] = async (id, status, token = production, reason) => {
    const result = await graphql(gateway, CHANGE_STATUS, { id, status, reason }, token);
    expect(result.errors).toBeUndefined();
  };
  return {
    gateway,
    tokens,
    productionUserId: me.data!.me.id,
    createBatch,
    changeStatus,
    async startedBatch() {
      const batch = await createBatch();
      await changeStatus(batch.id, "IN_PROGRESS");
      return batch;
    },
  };
}

/**
 * Starts a fixture before the file's tests and closes it after them; the returned object is
 * filled in `beforeAll`, so tests read its members when they run.
 */
export function useSubscriptionStack(options: FixtureOptions = {}): Actors & { fixture: SubscriptionFixture } {
  const world = {} as Actors & { fixture: SubscriptionFixture };
  beforeAll(async () => {
    world.fixture = await startSubscriptionFixture(options);
    Object.assign(world, await signInActors(world.fixture));
  });
  afterAll(async () => {
    await world.fixture?.close();
  });
  return world;
}
