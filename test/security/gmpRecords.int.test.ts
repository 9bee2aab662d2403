import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneTestDatabase, type TestDatabase } from "../support/database.js";
import { readCounter } from "../support/graphql.js";
import { createFloorAccounts, startInProcessStack, type FloorAccounts, type InProcessStack, type TestAccount } from "../support/inProcessStack.js";
import { releaseThroughQa } from "../support/qaDecisions.js";
import { expectRestError, rest, restError } from "../support/rest.js";

/**
 * The production domain's GMP records against the attacks of the security report: quantities
 * the columns cannot hold, edits of released batches without a trace, wildcards and unbounded
 * or malformed text reaching PostgreSQL.
 */
let database: TestDatabase;
let stack: InProcessStack;
let sql: pg.Client;
let tokens: FloorAccounts["tokens"];
let productionUser: TestAccount;
let qaUser: TestAccount;

beforeAll(async () => {
  database = await cloneTestDatabase();
  stack = await startInProcessStack({ events: false, databaseUrl: database.url });
  sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  ({ production: productionUser, qa: qaUser, tokens } = await createFloorAccounts(stack));
});

afterAll(async () => {
  await sql?.end();
  await stack?.stop();
  await database?.drop();
});

const CREATE = /* GraphQL */ `
  mutation($input: CreateBatchInput!) { createBatch(input: $input) { id batchNumber version plannedQuantity } }
`;
const UPDATE = /* GraphQL */ `
  mutation($id: ID!, $version: Int!, $input: UpdateBatchInput!, $reason: String) {
    updateBatch(id: $id, version: $version, input: $input, reason: $reason) { id version productCode plannedQuantity unit }
  }
`;
const CHANGE = /* GraphQL */ `
  mutation($id: ID!, $status: BatchStatus!, $reason: String, $actualQuantity: Float) {
    changeBatchStatus(id: $id, status: $status, reason: $reason, actualQuantity: $actualQuantity) { id status version }
  }
`;
const CHANGES = /* GraphQL */ `
  query($id: ID!) {
    batch(id: $id) { productCode plannedQuantity unit version changes { field oldValue newValue reason changedBy { name } changedAt } }
  }
`;

const number = () => `B-${randomBytes(5).toString("hex").toUpperCase()}`;
const input = (overrides: Record<string, unknown> = {}) => ({
  batchNumber: number(),
  productCode: "PARA-500",
  productName: "Paracetamol 500 mg",
  plannedQuantity: 1000,
  unit: "kg",
  ...overrides,
});
const errorsOf = (result: { errors?: ReadonlyArray<{ message: string; extensions?: unknown }> }) =>
  result.errors?.map(({ message, extensions }) => ({ message, extensions }));

async function createBatch(overrides: Record<string, unknown> = {}) {
  const result = await stack.call(CREATE, { input: input(overrides) }, tokens.production);
  expect(result.errors).toBeUndefined();
  return result.data!.createBatch as { id: string; batchNumber: string; version: number };
}

/** Moves a batch through `steps`; RELEASED is QA's decision, signed in the QA service and applied from its event. */
async function walk(id: string, steps: Array<[string, "production" | "qa", Record<string, unknown>?]>) {
  for (const [status, who, extra] of steps) {
    if (status === "RELEASED") {
      await releaseThroughQa({ ...stack, token: tokens.viewer }, id, qaUser);
      continue;
    }
    const result = await stack.call(CHANGE, { id, status, ...extra }, tokens[who]);
    expect(result.errors).toBeUndefined();
  }
}

const TO_RELEASED: Array<[string, "production" | "qa"]> = [
  ["IN_PROGRESS", "production"],
  ["QA_HOLD", "production"],
  ["RELEASED", "qa"],
];

const quantityError = (field: string, value: number, min = 0.001) => ({
  message: `${field} must be from ${min} to 99999999999.999 with at most 3 decimals, got ${value}`,
  extensions: { code: "BAD_USER_INPUT", serviceName: "production", field, min, max: 99_999_999_999.999, maxDecimals: 3 },
});

describe("quantities the columns cannot hold", () => {
  it.each([
    [0.0004, "rounded to 0 by the 3-decimal column"],
    [0, "zero"],
    [1.2345, "more decimals than the column keeps"],
    [100_000_000_000, "above NUMERIC(14, 3)"],
    [1e300, "far above NUMERIC(14, 3)"],
  ])("a planned quantity of %s (%s) is refused with BAD_USER_INPUT, and no batch is stored", async (planned) => {
    const batchInput = input({ plannedQuantity: planned });
    const result = await stack.call(CREATE, { input: batchInput }, tokens.production);
    expect(errorsOf(result)).toEqual([quantityError("plannedQuantity", planned)]);
    const { rows } = await sql.query("SELECT 1 FROM production.batches WHERE batch_number = $1", [batchInput.batchNumber]);
    expect(rows).toEqual([]);
  });

  it("a planned quantity of 0.0004 is refused over REST with 422, not stored as 0", async () => {
    const response = await rest(stack.gateway.url, "POST", "/api/batches", {
      token: tokens.production,
      json: { batch_number: number(), product_code: "X", product_name: "X", planned_quantity: 0.0004, unit: "kg" },
    });
    expect(response.status).toBe(422);
    expect(response.body).toEqual(
      restError("BAD_USER_INPUT", "plannedQuantity must be from 0.001 to 99999999999.999 with at most 3 decimals, got 0.0004", {
        field: "plannedQuantity",
        min: 0.001,
        max: 99_999_999_999.999,
        maxDecimals: 3,
      }),
    );
  });

  it("the smallest and the largest quantities the column holds are kept exactly", async () => {
    const small = await createBatch({ plannedQuantity: 0.001 });
    const large = await createBatch({ plannedQuantity: 99_999_999_999.999 });
    expect([small, large].map((b) => (b as unknown as { plannedQuantity: number }).plannedQuantity)).toEqual([0.001, 99_999_999_999.999]);
  });

  it("an updated planned quantity of 0.0004 and an actual quantity above the column are refused", async () => {
    const batch = await createBatch();
    const update = await stack.call(UPDATE, { id: batch.id, version: 1, input: { plannedQuantity: 0.0004 } }, tokens.production);
    expect(errorsOf(update)).toEqual([quantityError("plannedQuantity", 0.0004)]);
    await walk(batch.id, TO_RELEASED);
    const complete = await stack.call(CHANGE, { id: batch.id, status: "COMPLETED", actualQuantity: 1e15 }, tokens.production);
    expect(errorsOf(complete)).toEqual([quantityError("actualQuantity", 1e15, 0)]);
  });

  it("a completed batch planned at 0 already in the database no longer breaks yield, productionMetrics or GET /api/batches", async () => {
    // A record written before the checks: 0.0004 planned, stored as 0, then completed. It
    // cannot be changed any more, so every reader has to live with it.
    const day = new Date(Date.UTC(2040 + Math.floor(Math.random() * 50), 0, 1 + Math.floor(Math.random() * 300)));
    const at = (hours: number) => new Date(day.getTime() + hours * 3_600_000);
    const product = `ZERO-${randomBytes(4).toString("hex")}`;
    const [zero, normal] = [randomUUID(), randomUUID()];
    for (const [id, planned, actual] of [
      [zero, 0, 5],
      [normal, 100, 90],
    ] as const) {
      await sql.query(
        `INSERT INTO production.batches (id, batch_number, product_code, product_name, planned_quantity, actual_quantity, unit, status, stage, created_by, created_at, updated_at, version)
         VALUES ($1, $2, $3, 'Legacy', $4, $5, 'kg', 'COMPLETED', 'PACKAGING', $6, $7, $7, 5)`,
        [id, number(), product, planned, actual, productionUser.id, at(0)],
      );
      const steps = [null, "PLANNED", "IN_PROGRESS", "QA_HOLD", "RELEASED", "COMPLETED"];
      for (let i = 1; i < steps.length; i++) {
        await sql.query(
          `INSERT INTO production.batch_status_changes (id, batch_id, from_status, to_status, changed_by, changed_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [randomUUID(), id, steps[i - 1], steps[i], productionUser.id, at(i)],
        );
      }
    }

    const read = await stack.call(`query($id: ID!) { batch(id: $id) { plannedQuantity actualQuantity yield } }`, { id: zero }, tokens.viewer);
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({ batch: { plannedQuantity: 0, actualQuantity: 5, yield: null } });

    const metrics = await stack.call(
      `query($from: DateTime!, $to: DateTime!) { productionMetrics(from: $from, to: $to) { completed averageYield } }`,
      { from: day.toISOString(), to: at(24).toISOString() },
      tokens.viewer,
    );
    expect(metrics.errors).toBeUndefined();
    // Both completions count; the yield averages the one batch that has one.
    expect(metrics.data).toEqual({ productionMetrics: { completed: 2, averageYield: 0.9 } });

    const list = await rest(stack.gateway.url, "GET", `/api/batches?search=${product}`, { token: tokens.viewer });
    expect(list.status).toBe(200);
    expect(Object.fromEntries(list.body.items.map((b: { id: string; yield: number | null }) => [b.id, b.yield]))).toEqual({ [zero]: null, [normal]: 0.9 });
  });
});

describe("edits of a batch QA has on hold or released", () => {
  it("a released batch's product code, quantity and unit can no longer be changed with updateBatch", async () => {
    const batch = await createBatch();
    await walk(batch.id, TO_RELEASED);
    const attempt = await stack.call(
      UPDATE,
      { id: batch.id, version: 4, input: { productCode: "IBU-200", plannedQuantity: 2000, unit: "g" } },
      tokens.production,
    );
    expect(errorsOf(attempt)).toEqual([
      {
        message: `Batch ${batch.batchNumber} is RELEASED: its master data is frozen from QA_HOLD on`,
        extensions: { code: "BAD_USER_INPUT", serviceName: "production", status: "RELEASED" },
      },
    ]);
    const stored = await stack.call(CHANGES, { id: batch.id }, tokens.viewer);
    expect(stored.data!.batch).toEqual({ productCode: "PARA-500", plannedQuantity: 1000, unit: "kg", version: 4, changes: [] });
  });

  it("a batch on QA_HOLD is frozen too, over REST as well (422), and a rework back to IN_PROGRESS opens it again", async () => {
    const batch = await createBatch();
    await walk(batch.id, TO_RELEASED.slice(0, 2));
    const response = await rest(stack.gateway.url, "PUT", `/api/batches/${batch.id}`, {
      token: tokens.production,
      json: { version: 3, unit: "g" },
    });
    expect(response.status).toBe(422);
    expect(response.body).toEqual(
      restError("BAD_USER_INPUT", `Batch ${batch.batchNumber} is QA_HOLD: its master data is frozen from QA_HOLD on`, { status: "QA_HOLD" }),
    );
    await walk(batch.id, [["IN_PROGRESS", "qa", { reason: "Regranulate" }]]);
    const reopened = await stack.call(UPDATE, { id: batch.id, version: 4, input: { unit: "g" } }, tokens.production);
    expect(reopened.errors).toBeUndefined();
    expect(reopened.data!.updateBatch).toMatchObject({ unit: "g", version: 5 });
  });

  it("every change before QA_HOLD is recorded: who, when, field, old and new values and the reason, also over REST", async () => {
    const batch = await createBatch();
    const before = Date.now();
    const update = await stack.call(
      UPDATE,
      { id: batch.id, version: 1, input: { productCode: "PARA-1000", plannedQuantity: 1250.5, unit: "kg" }, reason: "Scaled up for order 42" },
      tokens.production,
    );
    expect(update.errors).toBeUndefined();
    const { data } = await stack.call(CHANGES, { id: batch.id }, tokens.viewer);
    const changedAt = expect.any(String);
    // `unit` was given with its current value: nothing changed, nothing recorded.
    expect(data!.batch.changes).toEqual([
      { field: "productCode", oldValue: "PARA-500", newValue: "PARA-1000", reason: "Scaled up for order 42", changedBy: { name: "Pat Production" }, changedAt },
      { field: "plannedQuantity", oldValue: "1000", newValue: "1250.5", reason: "Scaled up for order 42", changedBy: { name: "Pat Production" }, changedAt },
    ]);
    const times = data!.batch.changes.map((c: { changedAt: string }) => Date.parse(c.changedAt));
    expect(times.every((t: number) => t >= before - 1_000 && t <= Date.now())).toBe(true);

    // The actual quantity given on completion is a change of the record too.
    await walk(batch.id, [...TO_RELEASED, ["COMPLETED", "production", { actualQuantity: 1200.25 }]]);
    const response = await rest(stack.gateway.url, "GET", `/api/batches/${batch.id}`, { token: tokens.viewer });
    expect(response.status).toBe(200);
    expect(response.body.changes).toEqual([
      {
        field: "product_code",
        old_value: "PARA-500",
        new_value: "PARA-1000",
        reason: "Scaled up for order 42",
        changed_by: productionUser.id,
        changed_at: changedAt,
      },
      {
        field: "planned_quantity",
        old_value: "1000",
        new_value: "1250.5",
        reason: "Scaled up for order 42",
        changed_by: productionUser.id,
        changed_at: changedAt,
      },
      { field: "actual_quantity", old_value: null, new_value: "1200.25", reason: null, changed_by: productionUser.id, changed_at: changedAt },
    ]);
  });

  it("an update that changes no value writes no history and keeps the version; a REST update records its reason", async () => {
    const batch = await createBatch();
    const same = await stack.call(UPDATE, { id: batch.id, version: 1, input: { unit: "kg", plannedQuantity: 1000.0 } }, tokens.production);
    expect(same.data!.updateBatch).toMatchObject({ version: 1, unit: "kg", plannedQuantity: 1000 });
    const response = await rest(stack.gateway.url, "PUT", `/api/batches/${batch.id}`, {
      token: tokens.production,
      json: { version: 1, unit: "g", reason: "Weighed in grams" },
    });
    expect(response.status).toBe(200);
    const { data } = await stack.call(CHANGES, { id: batch.id }, tokens.viewer);
    expect(data!.batch.changes).toEqual([
      { field: "unit", oldValue: "kg", newValue: "g", reason: "Weighed in grams", changedBy: { name: "Pat Production" }, changedAt: expect.any(String) },
    ]);
  });

  it.each([
    ["UPDATE", "UPDATE production.batch_field_changes SET new_value = 'edited' WHERE batch_id = $1"],
    ["DELETE", "DELETE FROM production.batch_field_changes WHERE batch_id = $1"],
    ["TRUNCATE", "TRUNCATE production.batch_field_changes CASCADE"],
  ])("the change history refuses %s by SQL, whoever sends it", async (operation, statement) => {
    const batch = await createBatch();
    await stack.call(UPDATE, { id: batch.id, version: 1, input: { unit: "g" } }, tokens.production);
    const params = statement.includes("$1") ? [batch.id] : [];
    await expect(sql.query(statement, params)).rejects.toMatchObject({
      code: "42501",
      message: `production.batch_field_changes is append-only: ${operation} refused`,
    });
    const { rows } = await sql.query("SELECT field, old_value, new_value FROM production.batch_field_changes WHERE batch_id = $1", [batch.id]);
    expect(rows).toEqual([{ field: "unit", old_value: "kg", new_value: "g" }]);
  });

  it("the changes of a whole page are loaded with one statement", async () => {
    const product = `P-${randomBytes(4).toString("hex")}`;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const batch = await createBatch({ productCode: product });
      await stack.call(UPDATE, { id: batch.id, version: 1, input: { productName: `Name ${i}` } }, tokens.production);
      ids.push(batch.id);
    }
    const page = (fields: string) => /* GraphQL */ `
      query($first: Int, $product: String) { batches(first: $first, filter: { product: $product }) { nodes { id ${fields} } } }
    `;
    const statements = async (query: string, first: number) => {
      const before = await readCounter(stack.production.url, "db_queries_total");
      const result = await stack.call(query, { first, product }, tokens.viewer);
      expect(result.errors).toBeUndefined();
      return { spent: (await readCounter(stack.production.url, "db_queries_total")) - before, nodes: result.data!.batches.nodes };
    };
    const withChanges = page("changes { field newValue }");
    const small = await statements(withChanges, 2);
    const large = await statements(withChanges, 6);
    expect(large.spent).toBe(small.spent);
    expect(large.spent).toBe((await statements(page(""), 6)).spent + 1);
    expect(large.nodes.map((n: { changes: unknown[] }) => n.changes)).toEqual(ids.map((_, i) => [{ field: "productName", newValue: `Name ${i}` }]).reverse());
  });
});

describe("free text and filters", () => {
  const LIST = /* GraphQL */ `query($product: String) { batches(first: 100, filter: { product: $product }) { nodes { id productName } } }`;

  it("% and _ in batches(filter: { product }) match themselves, not anything", async () => {
    const tag = randomBytes(4).toString("hex");
    const percent = await createBatch({ productName: `Syrup ${tag} 5%_w` });
    await createBatch({ productName: `Syrup ${tag} 50 ml` });
    const wildcard = await stack.call(LIST, { product: `${tag} 5%` }, tokens.viewer);
    expect(wildcard.data!.batches.nodes.map((n: { id: string }) => n.id)).toEqual([percent.id]);
    const underscore = await stack.call(LIST, { product: `${tag} 5_` }, tokens.viewer);
    expect(underscore.data!.batches.nodes).toEqual([]);
    const all = await stack.call(LIST, { product: "%" }, tokens.viewer);
    expect(all.data!.batches.nodes.map((n: { id: string }) => n.id)).toEqual([percent.id]);
  });

  it("a 900 KB reason never lands in the append-only audit trail", async () => {
    const batch = await createBatch();
    const reason = "x".repeat(900_000);
    const result = await stack.call(CHANGE, { id: batch.id, status: "CANCELLED", reason }, tokens.production);
    expect(errorsOf(result)).toEqual([
      {
        message: "reason must be at most 1000 characters long",
        extensions: { code: "BAD_USER_INPUT", serviceName: "production", field: "reason", maxLength: 1000 },
      },
    ]);
    const update = await stack.call(UPDATE, { id: batch.id, version: 1, input: { unit: "g" }, reason }, tokens.production);
    expect(errorsOf(update)).toEqual(errorsOf(result));
    const { rows } = await sql.query("SELECT to_status::text FROM production.batch_status_changes WHERE batch_id = $1", [batch.id]);
    expect(rows).toEqual([{ to_status: "PLANNED" }]);
  });

  it.each([
    ["batchNumber", 64],
    ["productCode", 64],
    ["productName", 200],
    ["unit", 32],
  ])("%s is limited to %i characters", async (field, max) => {
    const longest = field === "batchNumber" ? number().padEnd(max, "0") : "a".repeat(max);
    const ok = await stack.call(CREATE, { input: input({ [field]: longest }) }, tokens.production);
    expect(ok.errors).toBeUndefined();
    const tooLong = await stack.call(CREATE, { input: input({ [field]: "a".repeat(max + 1) }) }, tokens.production);
    expect(errorsOf(tooLong)).toEqual([
      { message: `${field} must be at most ${max} characters long`, extensions: { code: "BAD_USER_INPUT", serviceName: "production", field, maxLength: max } },
    ]);
  });

  it("a batch number over the index row limit is BAD_USER_INPUT (422 over REST), not 500", async () => {
    const huge = "B".repeat(10_000);
    const result = await stack.call(CREATE, { input: input({ batchNumber: huge }) }, tokens.production);
    expect(errorsOf(result)).toEqual([
      {
        message: "batchNumber must be at most 64 characters long",
        extensions: { code: "BAD_USER_INPUT", serviceName: "production", field: "batchNumber", maxLength: 64 },
      },
    ]);
    const response = await rest(stack.gateway.url, "POST", "/api/batches", {
      token: tokens.production,
      json: { batch_number: huge, product_code: "X", product_name: "X", planned_quantity: 1, unit: "kg" },
    });
    expectRestError(response, 422, "BAD_USER_INPUT", "batchNumber must be at most 64 characters long", { field: "batchNumber", maxLength: 64 });
    const lookup = await stack.call(`query($n: String!) { batchByNumber(number: $n) { id } }`, { n: huge }, tokens.viewer);
    expect(errorsOf(lookup)).toEqual([
      {
        message: "number must be at most 64 characters long",
        extensions: { code: "BAD_USER_INPUT", serviceName: "production", field: "number", maxLength: 64 },
      },
    ]);
  });

  it("a cursor carrying a NUL byte or a lone surrogate is BAD_USER_INPUT, not 500", async () => {
    const query = /* GraphQL */ `query($after: String) { batches(first: 1, after: $after, orderBy: BATCH_NUMBER_ASC) { nodes { id } } }`;
    for (const key of ["B\u0000", "B\uD800"]) {
      const after = Buffer.from(JSON.stringify({ k: JSON.stringify(["BATCH_NUMBER_ASC", key]) })).toString("base64url");
      const result = await stack.call(query, { after }, tokens.viewer);
      expect(errorsOf(result)).toEqual([
        {
          message: "after is not a cursor of this list in orderBy BATCH_NUMBER_ASC",
          extensions: { code: "BAD_USER_INPUT", serviceName: "production", field: "after" },
        },
      ]);
    }
  });

  it.each([
    ["a NUL byte", "PARA\u0000", "product must not contain control characters"],
    ["a lone surrogate", "PARA\uD800", "product is not valid Unicode text"],
    ["201 characters", "p".repeat(201), "product must be at most 200 characters long"],
  ])("a filter string with %s is BAD_USER_INPUT over GraphQL and 422 over REST, not 500", async (_what, product, message) => {
    const result = await stack.call(LIST, { product }, tokens.viewer);
    const details = { field: "product", ...(message.includes("at most") ? { maxLength: 200 } : {}) };
    const extensions = { code: "BAD_USER_INPUT", serviceName: "production", ...details };
    expect(errorsOf(result)).toEqual([{ message, extensions }]);
    // A query string is UTF-8: a lone surrogate reaches REST as its (invalid) bytes, left undecoded.
    const wellFormed = !/[\uD800-\uDFFF]/.test(product);
    const query = wellFormed ? encodeURIComponent(product) : "PARA%ED%A0%80";
    const response = await rest(stack.gateway.url, "GET", `/api/batches?search=${query}`, { token: tokens.viewer });
    if (wellFormed) {
      expectRestError(response, 422, "BAD_USER_INPUT", message, details);
    } else {
      expect(response).toMatchObject({ status: 200, body: { items: [], total: 0 } });
    }
  });
});
