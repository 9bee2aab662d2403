import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestConsumer, type TestConsumer } from "../../subgraphs/production/test/eventConsumer.js";
import { graphql } from "../../test/support/graphql.js";
import { expectRestError, rest, restError } from "../../test/support/rest.js";
import { subscribe } from "../../test/support/subscriptions.js";
import { startInProcessStack, type InProcessStack } from "../../test/support/inProcessStack.js";

/**
 * A batch driven through REST is the same batch GraphQL sees: its audit trail, its events on
 * the broker and its subscription messages come from the subgraph, not from the adapter. And a
 * refused REST request writes nothing. A stack with its own database and exchange, so that
 * only its relay publishes its events.
 */
let stack: InProcessStack;
let consumer: TestConsumer;
let gateway: string;
let tokens: Record<"production" | "viewer", string>;

const number = () => `FLOW-${randomBytes(4).toString("hex").toUpperCase()}`;
const newBatch = (batchNumber = number()) => ({
  batch_number: batchNumber,
  product_code: "PARA-500",
  product_name: "Paracetamol 500 mg tablets",
  planned_quantity: 500,
  unit: "kg",
});

const READ_BATCH = /* GraphQL */ `
  query($id: ID!) { batch(id: $id) { status version productName history { fromStatus toStatus reason changedBy { email } } } }
`;
const BY_NUMBER = /* GraphQL */ `query($number: String!) { batchByNumber(number: $number) { id } }`;

const readBatch = async (id: string) => (await graphql(gateway, READ_BATCH, { id }, tokens.viewer)).data!.batch;
const messagesOf = (id: string) => consumer.messages.map((m) => JSON.parse(m.content.toString())).filter((event) => event.data.batch_id === id);

/** The id of the batch's latest event, to subscribe with `after`. */
async function lastEventId(batchId: string): Promise<string> {
  const event = await stack.production.runtime.prisma.outboxEvent.findFirstOrThrow({ where: { batchId }, orderBy: { sequence: "desc" } });
  return event.id;
}

async function createBatch(base = gateway) {
  const created = await rest(base, "POST", "/api/batches", { token: tokens.production, json: newBatch() });
  expect(created.status).toBe(201);
  return created.body as { id: string; batch_number: string; version: number };
}

beforeAll(async () => {
  stack = await startInProcessStack();
  gateway = stack.gateway.url;
  consumer = await startTestConsumer(stack.exchange);
  await stack.seed();
  // One after another: each sign-in costs the seed's deliberately slow password hash.
  const production = await stack.login({ email: "production@example.com", password: "demo-password" });
  const viewer = await stack.login({ email: "viewer@example.com", password: "demo-password" });
  tokens = { production, viewer };
});

afterAll(async () => {
  await stack?.stop();
  await consumer?.close();
});

describe("a batch moved by REST", () => {
  it("to QA_HOLD shows in GraphQL history, on the broker and to a GraphQL subscriber", async () => {
    const batch = await createBatch();
    // From the batch's creation on: each change is replayed or delivered live, whenever the subscription is up.
    const after = await lastEventId(batch.id);
    const subscription = subscribe(
      gateway,
      { authorization: `Bearer ${tokens.viewer}` },
      /* GraphQL */ `
      subscription($batchId: ID, $after: String) { batchStatusChanged(batchId: $batchId, after: $after) { oldStatus newStatus reason changedBy { email } batch { id status } } }
    `,
      { batchId: batch.id, after },
    );

    for (const [status, reason] of [
      ["IN_PROGRESS", "Line 2 ready"],
      ["QA_HOLD", undefined],
    ] as const) {
      const moved = await rest(gateway, "PUT", `/api/batches/${batch.id}`, { token: tokens.production, json: { status, reason } });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ id: batch.id, status });
    }

    expect(await readBatch(batch.id)).toMatchObject({
      status: "QA_HOLD",
      version: 3,
      history: [
        { fromStatus: null, toStatus: "PLANNED", reason: null, changedBy: { email: "production@example.com" } },
        { fromStatus: "PLANNED", toStatus: "IN_PROGRESS", reason: "Line 2 ready", changedBy: { email: "production@example.com" } },
        { fromStatus: "IN_PROGRESS", toStatus: "QA_HOLD", reason: null, changedBy: { email: "production@example.com" } },
      ],
    });

    await expect
      .poll(() => messagesOf(batch.id).map((event) => event.type), { timeout: 20_000 })
      .toEqual(["batch.created", "batch.status.changed", "batch.status.changed"]);
    expect(messagesOf(batch.id)[2].data).toMatchObject({ old_status: "IN_PROGRESS", new_status: "QA_HOLD", version: 3 });

    const results = await subscription.waitFor(2);
    await subscription.close();
    // `batch` is the batch as it is when the message is delivered: QA_HOLD already, or not yet.
    const by = { email: "production@example.com" };
    expect(results.map((result) => result.data?.batchStatusChanged)).toEqual([
      { oldStatus: "PLANNED", newStatus: "IN_PROGRESS", reason: "Line 2 ready", changedBy: by, batch: { id: batch.id, status: expect.any(String) } },
      { oldStatus: "IN_PROGRESS", newStatus: "QA_HOLD", reason: null, changedBy: by, batch: { id: batch.id, status: "QA_HOLD" } },
    ]);
  });
});

describe("PUT /api/batches/{id} with fields and a status", () => {
  it("updates the fields first, then changes the status, answering the batch after both", async () => {
    const batch = await createBatch();
    const both = await rest(gateway, "PUT", `/api/batches/${batch.id}`, {
      token: tokens.production,
      json: { version: 1, product_name: "Renamed", status: "IN_PROGRESS", reason: "Go" },
    });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ product_name: "Renamed", status: "IN_PROGRESS", version: 3 });
    expect(await readBatch(batch.id)).toMatchObject({ productName: "Renamed", status: "IN_PROGRESS", version: 3 });
  });

  it("changes nothing when the version is stale", async () => {
    const batch = await createBatch();
    const stale = await rest(gateway, "PUT", `/api/batches/${batch.id}`, {
      token: tokens.production,
      json: { version: 7, product_name: "Renamed", status: "IN_PROGRESS" },
    });
    expect(stale.status).toBe(409);
    expect(await readBatch(batch.id)).toMatchObject({ productName: "Paracetamol 500 mg tablets", status: "PLANNED", version: 1 });
  });
});

describe.each(["gateway", "production"] as const)("refused REST requests on the %s write nothing", (target) => {
  const base = () => (target === "gateway" ? gateway : stack.production.url);

  it("malformed JSON and a wrong content type are 400, and no batch is created", async () => {
    const batchNumber = number();
    const malformed = await rest(base(), "POST", "/api/batches", { token: tokens.production, raw: `{"batch_number": "${batchNumber}",` });
    expectRestError(malformed, 400, "BAD_REQUEST", expect.stringMatching(/^Malformed JSON body/));
    const wrongType = await rest(base(), "POST", "/api/batches", {
      token: tokens.production,
      raw: JSON.stringify(newBatch(batchNumber)),
      contentType: "text/plain",
    });
    expectRestError(wrongType, 400, "BAD_REQUEST", "Content-Type must be application/json");
    const written = await graphql(gateway, BY_NUMBER, { number: batchNumber }, tokens.viewer);
    expect(written.data).toEqual({ batchByNumber: null });
  });

  it("an unknown id is 404", async () => {
    const id = randomUUID();
    const read = await rest(base(), "GET", `/api/batches/${id}`, { token: tokens.viewer });
    expectRestError(read, 404, "NOT_FOUND", `No batch with id ${id}`);
    const change = await rest(base(), "PUT", `/api/batches/${id}`, { token: tokens.production, json: { status: "IN_PROGRESS" } });
    expectRestError(change, 404, "NOT_FOUND", expect.any(String), expect.anything());
  });

  it("an invalid status, an illegal transition and a malformed PUT are refused, and the batch is unchanged", async () => {
    const batch = await createBatch(base());
    const before = await readBatch(batch.id);

    const invalid = await rest(base(), "PUT", `/api/batches/${batch.id}`, { token: tokens.production, json: { status: "DONE" } });
    expectRestError(invalid, 422, "BAD_USER_INPUT", expect.stringContaining('Value "DONE" does not exist in "BatchStatus" enum'));

    const illegal = await rest(base(), "PUT", `/api/batches/${batch.id}`, { token: tokens.production, json: { status: "COMPLETED", actual_quantity: 490 } });
    expect(illegal.status).toBe(422);
    expect(illegal.body).toEqual(
      restError(
        "BAD_USER_INPUT",
        expect.stringContaining("allowed next statuses: IN_PROGRESS, CANCELLED"),
        expect.objectContaining({ allowedStatuses: ["IN_PROGRESS", "CANCELLED"] }),
      ),
    );

    const malformed = await rest(base(), "PUT", `/api/batches/${batch.id}`, { token: tokens.production, raw: "{status: IN_PROGRESS}" });
    expectRestError(malformed, 400, "BAD_REQUEST", expect.stringMatching(/^Malformed JSON body/));

    const invalidValue = await rest(base(), "PUT", `/api/batches/${batch.id}`, { token: tokens.production, json: { version: 1, planned_quantity: -5 } });
    expectRestError(invalidValue, 422, "BAD_USER_INPUT", expect.any(String), expect.objectContaining({ field: expect.any(String) }));

    expect(await readBatch(batch.id)).toEqual(before);
    // A legal change, last: an event of any refused one would have been published before its event.
    const legal = await rest(base(), "PUT", `/api/batches/${batch.id}`, { token: tokens.production, json: { status: "IN_PROGRESS" } });
    expect(legal.status).toBe(200);
    await expect.poll(() => messagesOf(batch.id).map((event) => event.type), { timeout: 10_000 }).toEqual(["batch.created", "batch.status.changed"]);
  });
});
