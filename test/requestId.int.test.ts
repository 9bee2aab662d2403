import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { graphql } from "./support/graphql.js";
import { startInProcessStack, type InProcessStack } from "./support/inProcessStack.js";
import { subscribe, untilDelivering } from "./support/subscriptions.js";
import { startTestConsumer, type TestConsumer } from "../subgraphs/production/test/eventConsumer.js";

/**
 * One request id follows a call: the gateway's log, the production subgraph's log, the event
 * envelope's `correlationId` (and the AMQP header), and the subscription delivery's log.
 */
let stack: InProcessStack;
let consumer: TestConsumer;

beforeAll(async () => {
  consumer = await startTestConsumer();
  // Each service's log lines are captured, parsed, at debug level.
  stack = await startInProcessStack({ env: { LOG_LEVEL: "debug", EVENTS_EXCHANGE: consumer.exchange } });
});

afterAll(async () => {
  await stack?.stop();
  await consumer?.close();
});

/** The event and its delivery come on the relay's and the consumer's schedule. */
const POLL = { timeout: 10_000 };

const logged = (logs: Array<Record<string, unknown>>, requestId: string) => logs.filter((entry) => entry.requestId === requestId);

it("follows one request id from the gateway through the subgraph and the event to the subscription delivery", async () => {
  const token = await stack.login(await stack.createUser({ roles: ["PRODUCTION"] }));
  const subscription = subscribe(stack.gateway.url, { authorization: `Bearer ${token}` }, `subscription { batchCreated { batchNumber } }`);
  const create = (batchNumber: string, headers: Record<string, string> = {}) =>
    graphql(
      stack.gateway.url,
      `mutation($input: CreateBatchInput!) { createBatch(input: $input) { id } }`,
      { input: { batchNumber, productCode: "P-1", productName: "Product", plannedQuantity: 10, unit: "kg" } },
      token,
      headers,
    );
  await untilDelivering(subscription, () => create(`PROBE-${randomBytes(4).toString("hex")}`));

  const requestId = `trace-${randomBytes(6).toString("hex")}`;
  const batchNumber = `RID-${randomBytes(4).toString("hex")}`;
  const created = await create(batchNumber, { "x-request-id": requestId });
  expect(created.errors).toBeUndefined();
  await expect.poll(() => subscription.results, POLL).toContainEqual({ data: { batchCreated: { batchNumber } } });
  // The probes' events came first; the traced one is the event carrying the request id.
  const traced = () => consumer.messages.find((m) => JSON.parse(m.content.toString()).correlationId === requestId);
  await expect.poll(traced, POLL).toBeDefined();
  const message = traced();
  await subscription.close();

  const operation = expect.objectContaining({ msg: "graphql operation", operationType: "mutation" });
  await expect.poll(() => logged(stack.gateway.logs, requestId), POLL).toContainEqual(operation);
  await expect.poll(() => logged(stack.production.logs, requestId), POLL).toContainEqual(operation);
  expect(JSON.parse(message!.content.toString()).correlationId).toBe(requestId);
  expect(message!.properties.headers?.correlationId).toBe(requestId);
  await expect
    .poll(() => stack.production.logs, POLL)
    .toContainEqual(expect.objectContaining({ msg: "subscription event delivered", type: "batch.created", correlationId: requestId }));
});
