import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, readCounter } from "../../../test/support/graphql.js";
import { startInProcessStack, type InProcessStack } from "../../../test/support/inProcessStack.js";
import { releaseThroughQa } from "../../../test/support/qaDecisions.js";
import { startTestConsumer, type TestConsumer } from "./eventConsumer.js";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "./operations.js";

/**
 * The production subgraph among the real services, reached through the gateway as a client
 * would, signed in as the seeded users of each role.
 */
let consumer: TestConsumer;
let stack: InProcessStack;
let gateway: string;
let tokens: Record<"production" | "qa" | "viewer", string>;

beforeAll(async () => {
  consumer = await startTestConsumer();
  // With events, a database of its own: the relay of this stack is then the only one publishing its events.
  // The query budget writes 100 batches at once, served in this one process with the gateway:
  // a generous subgraph timeout, as what it counts is statements, not latency.
  stack = await startInProcessStack({ env: { EVENTS_EXCHANGE: consumer.exchange, SUBGRAPH_TIMEOUT_MS: "30000" } });
  gateway = stack.gateway.url;
  await stack.seed();
  // One after another: each sign-in costs the seed's deliberately slow password hash.
  const signIn = (name: string) => stack.login({ email: `${name}@example.com`, password: "demo-password" });
  tokens = { production: await signIn("production"), qa: await signIn("qa"), viewer: await signIn("viewer") };
});

afterAll(async () => {
  await stack?.stop();
  await consumer?.close();
});

const number = () => `GW-${randomBytes(4).toString("hex").toUpperCase()}`;

describe("a batch's life through the gateway", () => {
  it("walks PLANNED to COMPLETED with the right roles, its history naming each user", async () => {
    const created = await graphql(gateway, CREATE_BATCH, { input: batchInput(number(), { plannedQuantity: 500 }) }, tokens.production);
    expect(created.errors).toBeUndefined();
    const id = created.data!.createBatch.id;
    const step = async (status: string, extra: Record<string, unknown> = {}) => {
      const result = await graphql(gateway, CHANGE_STATUS, { id, status, ...extra }, tokens.production);
      expect(result.errors).toBeUndefined();
      expect(result.data!.changeBatchStatus.status).toBe(status);
    };
    await step("IN_PROGRESS", { reason: "Line 3 ready" });
    await step("QA_HOLD");
    // QA releases in the QA service, which publishes the signed decision; production applies it.
    const qa = (await graphql(gateway, `{ me { id name } }`, {}, tokens.qa)).data!.me;
    const decision = await releaseThroughQa({ ...stack, token: tokens.viewer }, id, qa);
    await step("COMPLETED", { actualQuantity: 485 });

    const read = await graphql(
      gateway,
      `query($id: ID!) { batch(id: $id) { status yield createdBy { email name } history { fromStatus toStatus reason changedBy { email } } } }`,
      { id },
      tokens.viewer,
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.batch).toEqual({
      status: "COMPLETED",
      yield: 0.97,
      createdBy: { email: "production@example.com", name: "Pat Production" },
      history: [
        { fromStatus: null, toStatus: "PLANNED", reason: null, changedBy: { email: "production@example.com" } },
        { fromStatus: "PLANNED", toStatus: "IN_PROGRESS", reason: "Line 3 ready", changedBy: { email: "production@example.com" } },
        { fromStatus: "IN_PROGRESS", toStatus: "QA_HOLD", reason: null, changedBy: { email: "production@example.com" } },
        {
          fromStatus: "QA_HOLD",
          toStatus: "RELEASED",
          reason: `QA decision ${decision.data.decision_id}: approved for release`,
          changedBy: { email: "qa@example.com" },
        },
        { fromStatus: "RELEASED", toStatus: "COMPLETED", reason: null, changedBy: { email: "production@example.com" } },
      ],
    });

    // The relay of the production subgraph published the walk, in order.
    await expect
      .poll(() => consumer.messages.filter((m) => JSON.parse(m.content.toString()).data.batch_id === id).map((m) => m.fields.routingKey))
      .toEqual(["batch.created", "batch.status.changed", "batch.status.changed", "batch.status.changed", "batch.status.changed", "batch.completed"]);
  });

  // The gateway passes the subgraph's errors on, naming the subgraph (`serviceName`).
  it("refuses an illegal transition and a wrong role with clear errors", async () => {
    const created = await graphql(gateway, CREATE_BATCH, { input: batchInput(number()) }, tokens.production);
    const { id, batchNumber } = created.data!.createBatch;

    const illegal = await graphql(gateway, CHANGE_STATUS, { id, status: "RELEASED" }, tokens.qa);
    expect(illegal.data).toBeNull();
    expect(illegal.errors).toEqual([
      {
        message: `Batch ${batchNumber} cannot go from PLANNED to RELEASED: allowed next statuses: IN_PROGRESS, CANCELLED`,
        path: ["changeBatchStatus"],
        extensions: { code: "BAD_USER_INPUT", field: "status", allowedStatuses: ["IN_PROGRESS", "CANCELLED"], serviceName: "production" },
      },
    ]);

    await graphql(gateway, CHANGE_STATUS, { id, status: "IN_PROGRESS" }, tokens.production);
    await graphql(gateway, CHANGE_STATUS, { id, status: "QA_HOLD" }, tokens.production);
    // Releasing is the QA service's, whoever asks here.
    for (const token of [tokens.qa, tokens.production]) {
      const release = await graphql(gateway, CHANGE_STATUS, { id, status: "RELEASED" }, token);
      expect(release.data).toBeNull();
      expect(release.errors).toEqual([
        {
          message: `Batch ${batchNumber} is released or rejected through the QA service: use releaseBatch(batchId, signature) or rejectBatch(batchId, reason, signature)`,
          path: ["changeBatchStatus"],
          extensions: { code: "BAD_USER_INPUT", field: "status", qaMutation: "releaseBatch", serviceName: "production" },
        },
      ]);
    }
    const wrongRole = await graphql(gateway, CHANGE_STATUS, { id, status: "IN_PROGRESS", reason: "Rework" }, tokens.production);
    expect(wrongRole.data).toBeNull();
    expect(wrongRole.errors).toEqual([
      {
        message: "Moving a batch from QA_HOLD to IN_PROGRESS requires scope batches:release",
        path: ["changeBatchStatus"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["batches:release"]], serviceName: "production" },
      },
    ]);

    const viewer = await graphql(gateway, CHANGE_STATUS, { id, status: "RELEASED" }, tokens.viewer);
    expect(viewer.errors).toEqual([
      {
        message: "Mutation.changeBatchStatus requires scope batches:write or batches:release",
        path: ["changeBatchStatus"],
        extensions: { code: "FORBIDDEN", requiredScopes: [["batches:write"], ["batches:release"]], serviceName: "production" },
      },
    ]);
  });
});

describe("query budget", () => {
  it("reads a page of batches with their creators and histories in the same few SQL statements per subgraph, whatever its size", async () => {
    const product = `N1-${randomBytes(4).toString("hex")}`;
    const created = await Promise.all(
      Array.from({ length: 100 }, () => graphql(gateway, CREATE_BATCH, { input: batchInput(number(), { productCode: product }) }, tokens.production)),
    );
    expect(created.flatMap((r) => r.errors ?? [])).toEqual([]);
    // A second history entry, by another user, for half of them.
    await Promise.all(
      created.slice(0, 50).map((r) => graphql(gateway, CHANGE_STATUS, { id: r.data!.createBatch.id, status: "IN_PROGRESS" }, tokens.production)),
    );

    const query = /* GraphQL */ `
      query Page($first: Int, $product: String) {
        batches(first: $first, filter: { product: $product }) { nodes { batchNumber createdBy { name } history { changedBy { name } } } }
      }
    `;
    // The subscription consumer checks each event against the database: let it finish with
    // the events of the writes above, or its statements would count as the page's.
    const settled = async () => {
      const counters = ["outbox_backlog", "outbox_events_published_total", "events_consumed_total", "events_dead_lettered_total"];
      const [backlog, published, consumed, deadLettered] = (await Promise.all(counters.map((name) => readCounter(stack.production.url, name)))) as [
        number,
        number,
        number,
        number,
      ];
      return backlog === 0 && published >= 150 && published === consumed + deadLettered;
    };
    await expect.poll(settled, { timeout: 20_000 }).toBe(true);
    const statementsFor = async (first: number) => {
      const services = [stack.production.url, stack.user.url];
      const before = await Promise.all(services.map((url) => readCounter(url, "db_queries_total")));
      const page = await graphql(gateway, query, { first, product }, tokens.viewer);
      expect(page.errors).toBeUndefined();
      expect(page.data!.batches.nodes).toHaveLength(first);
      expect(page.data!.batches.nodes[0]).toMatchObject({ createdBy: { name: "Pat Production" }, history: [{ changedBy: { name: "Pat Production" } }] });
      const after = await Promise.all(services.map((url) => readCounter(url, "db_queries_total")));
      return { production: after[0]! - before[0]!, user: after[1]! - before[1]! };
    };
    // Work still running in the background (a consumer, a relay) can only add statements to a
    // measure: the fewest of three is the page's own cost.
    const fewest = async (first: number) => {
      const runs = [await statementsFor(first), await statementsFor(first), await statementsFor(first)];
      return { production: Math.min(...runs.map((r) => r.production)), user: Math.min(...runs.map((r) => r.user)) };
    };
    const small = await fewest(10);
    const large = await fewest(100);
    expect(large).toEqual(small);
    // The page and all its histories; every creator and author in batched `_entities` calls.
    expect(large.production).toBeLessThanOrEqual(2);
    expect(large.user).toBeLessThanOrEqual(2);
  });
});
