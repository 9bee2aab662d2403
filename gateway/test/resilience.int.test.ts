import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, readCounter } from "../../test/support/graphql.js";
import { startInProcessStack, type InProcessStack } from "../../test/support/inProcessStack.js";

/** Short enough for a test; what matters is that a call ends within it. */
const TIMEOUT_MS = 2_000;

let stack: InProcessStack;
let gateway: string;
let token: string;
// The run's database is shared with other test files: this test reads only its own batch.
const product = `RES-${Date.now()}`;

/**
 * A user subgraph the test stops and starts again on the same port, like a crashed instance
 * restarted by its supervisor.
 */
beforeAll(async () => {
  stack = await startInProcessStack({
    events: false,
    env: { SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS), SUBGRAPH_BREAKER_FAILURES: "3", SUBGRAPH_BREAKER_RESET_MS: "500" },
  });
  gateway = stack.gateway.url;
  // Cheaply hashed: a login must fit in the short subgraph timeout on a busy machine.
  token = await stack.login(await stack.createUser({ roles: ["PRODUCTION"] }));
  const created = await graphql(
    gateway,
    `mutation($input: CreateBatchInput!) { createBatch(input: $input) { id } }`,
    { input: { batchNumber: product, productCode: product, productName: "Paracetamol 500 mg", plannedQuantity: 1000, unit: "tablets" } },
    token,
  );
  expect(created.errors).toBeUndefined();
});

afterAll(async () => {
  await stack?.stop();
});

const BATCHES = /* GraphQL */ `query Batches($product: String) { batches(first: 5, filter: { product: $product }) { edges { node { batchNumber createdBy { name } } } } }`;

describe("a subgraph that is down", () => {
  it("leaves the other subgraphs' data, with an error naming it, within the timeout; whole again once it is back", async () => {
    const whole = await graphql(gateway, BATCHES, { product }, token);
    expect(whole.errors).toBeUndefined();
    const numbers = whole.data!.batches.edges.map((e: any) => e.node.batchNumber);
    expect(numbers.length).toBeGreaterThan(0);

    await stack.stopSubgraph("user");
    for (let i = 0; i < 5; i++) {
      // No wall-clock assertion (shared machines are noisy): the reason in the message shows the
      // call failed fast, on a refused connection or an open circuit, never by waiting it out.
      const partial = await graphql(gateway, BATCHES, { product }, token);
      expect(partial.status).toBe(200);
      expect(partial.data!.batches.edges.map((e: any) => e.node.batchNumber)).toEqual(numbers);
      expect(partial.errors).toEqual([
        {
          message: expect.stringMatching(/^Subgraph "user" is unavailable \((connection|circuit open)\)$/),
          path: ["batches", "edges", 0, "node", "createdBy"],
          extensions: { code: "SERVICE_UNAVAILABLE", serviceName: "user" },
        },
      ]);
    }
    expect(await readCounter(gateway, "subgraph_fetch_errors_total")).toBeGreaterThanOrEqual(5);

    await stack.restartSubgraph("user");
    // The circuit lets a trial call through after 500 ms, and closes once it succeeds.
    const answer = () => graphql(gateway, BATCHES, { product }, token);
    await expect.poll(async () => (await answer()).errors, { timeout: 10_000 }).toBeUndefined();
    const again = await answer();
    expect(again.errors).toBeUndefined();
    expect(again.data!.batches.edges[0].node.createdBy.name).toEqual(expect.any(String));
  });
});
