import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphql, readCounter } from "../../test/support/graphql.js";
import { startService, type RunningService } from "../../test/support/services.js";
import { login } from "../../test/support/login.js";
import { seedStack } from "../../test/support/seed.js";
import { startStack, type Stack } from "../../test/support/stack.js";

/** Short enough for a test; what matters is that a call ends within it. */
const TIMEOUT_MS = 2_000;

let stack: Stack;
let gateway: RunningService;
let token: string;
// The run's database is shared with other test files: this test reads only its own batch.
const product = `RES-${Date.now()}`;
const user: { service?: RunningService } = {};

/**
 * A gateway of its own, pointing at a user subgraph the test stops and starts again on the
 * same port (given by `USER_PORT`), like a crashed instance restarted by its supervisor.
 */
beforeAll(async () => {
  stack = await startStack();
  await seedStack(stack);
  const port = new URL(stack.user.url).port;
  await stack.user.stop();
  user.service = await startService("user", { ...stack.env, USER_PORT: port });
  gateway = await startService("gateway", {
    ...stack.env,
    USER_URL: user.service.url,
    PRODUCTION_URL: stack.production.url,
    SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS),
    SUBGRAPH_BREAKER_FAILURES: "3",
    SUBGRAPH_BREAKER_RESET_MS: "500",
  });
  token = await login(gateway.url, "production@example.com");
  const created = await graphql(
    gateway.url,
    `mutation($input: CreateBatchInput!) { createBatch(input: $input) { id } }`,
    { input: { batchNumber: product, productCode: product, productName: "Paracetamol 500 mg", plannedQuantity: 1000, unit: "tablets" } },
    token,
  );
  expect(created.errors).toBeUndefined();
});

afterAll(async () => {
  await gateway?.stop();
  await user.service?.stop();
  await stack?.stop();
});

const BATCHES = /* GraphQL */ `query Batches($product: String) { batches(first: 5, filter: { product: $product }) { edges { node { batchNumber createdBy { name } } } } }`;

describe("a subgraph that is down", () => {
  it("leaves the other subgraphs' data, with an error naming it, within the timeout; whole again once it is back", async () => {
    const whole = await graphql(gateway.url, BATCHES, { product }, token);
    expect(whole.errors).toBeUndefined();
    const numbers = whole.data!.batches.edges.map((e: any) => e.node.batchNumber);
    expect(numbers.length).toBeGreaterThan(0);

    const port = new URL(user.service!.url).port;
    await user.service!.stop();
    for (let i = 0; i < 5; i++) {
      // No wall-clock assertion (shared machines are noisy): the reason in the message shows the
      // call failed fast, on a refused connection or an open circuit, never by waiting it out.
      const partial = await graphql(gateway.url, BATCHES, { product }, token);
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
    expect(await readCounter(gateway.url, "subgraph_fetch_errors_total")).toBeGreaterThanOrEqual(5);

    user.service = await startService("user", { ...stack.env, USER_PORT: port });
    // The circuit lets a trial call through after 500 ms, and closes once it succeeds.
    const answer = () => graphql(gateway.url, BATCHES, { product }, token);
    await expect.poll(async () => (await answer()).errors, { timeout: 10_000 }).toBeUndefined();
    const again = await answer();
    expect(again.errors).toBeUndefined();
    expect(again.data!.batches.edges[0].node.createdBy.name).toEqual(expect.any(String));
  });
});
