import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startJwksServer, type JwksServer } from "./jwksServer.js";
import { ADVANCE_STAGE, batchInput, CHANGE_STATUS, CREATE_BATCH } from "./operations.js";
import { startProductionServer, type Caller, type TestProductionServer } from "./productionServer.js";

const PAGE = /* GraphQL */ `
  query Page($filter: BatchFilter, $first: Int, $after: String, $orderBy: BatchOrder, $offset: Int) {
    batches(filter: $filter, first: $first, after: $after, orderBy: $orderBy, offset: $offset) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { batchNumber } }
      nodes { batchNumber status createdAt }
    }
  }
`;

let auth: JwksServer;
let server: TestProductionServer;
let viewer: Caller;
// Seven batches of a product of this test only, created in batch-number order.
const product = `Q-${randomBytes(4).toString("hex")}`;
const numbers = Array.from({ length: 7 }, (_, i) => `${product}-${i}`);
let ids: string[];

beforeAll(async () => {
  auth = await startJwksServer();
  server = await startProductionServer(auth);
  viewer = server.signIn("VIEWER");
  const production = server.signIn("PRODUCTION");
  ids = [];
  for (const number of numbers) {
    const created = await server.call(
      CREATE_BATCH,
      { input: batchInput(number, { productCode: product, productName: `Tablets ${product}` }) },
      production.token,
    );
    ids.push(created.data!.createBatch.id);
  }
  for (const id of ids.slice(0, 3)) await server.call(CHANGE_STATUS, { id, status: "IN_PROGRESS" }, production.token);
});

afterAll(async () => {
  await server?.stop();
  await auth?.stop();
});

const page = async (variables: Record<string, unknown>) => {
  const result = await server.call(PAGE, variables, viewer.token);
  expect(result.errors).toBeUndefined();
  return result.data!.batches;
};

describe("batches", () => {
  it("pages through the filtered batches, newest first, with the total count", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const current = await page({ filter: { product }, first: 3, after });
      expect(current.totalCount).toBe(7);
      expect(current.nodes.map((n: { batchNumber: string }) => n.batchNumber)).toEqual(
        current.edges.map((e: { node: { batchNumber: string } }) => e.node.batchNumber),
      );
      seen.push(...current.nodes.map((n: { batchNumber: string }) => n.batchNumber));
      after = current.pageInfo.hasNextPage ? current.pageInfo.endCursor : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual([...numbers].reverse());
  });

  it("orders by batch number and filters by status, by product name and by creation time", async () => {
    const ascending = await page({ filter: { product: `tablets ${product}`.toUpperCase() }, orderBy: "BATCH_NUMBER_ASC", first: 4 });
    expect(ascending.nodes.map((n: { batchNumber: string }) => n.batchNumber)).toEqual(numbers.slice(0, 4));
    const next = await page({ filter: { product }, orderBy: "BATCH_NUMBER_ASC", first: 4, after: ascending.pageInfo.endCursor });
    expect(next.nodes.map((n: { batchNumber: string }) => n.batchNumber)).toEqual(numbers.slice(4));
    expect(next.pageInfo).toEqual({ hasNextPage: false, endCursor: next.edges.at(-1).cursor });

    const started = await page({ filter: { product, status: "IN_PROGRESS" }, orderBy: "BATCH_NUMBER_DESC" });
    expect(started).toMatchObject({
      totalCount: 3,
      nodes: numbers
        .slice(0, 3)
        .reverse()
        .map((batchNumber) => ({ batchNumber, status: "IN_PROGRESS" })),
    });

    const future = await page({ filter: { product, createdFrom: new Date(Date.now() + 60_000).toISOString() } });
    expect(future).toMatchObject({ totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it("filters by stage and by a creation window, pages oldest first and by offset", async () => {
    const batchNumbers = (p: { nodes: { batchNumber: string }[] }) => p.nodes.map((n) => n.batchNumber);
    const production = server.signIn("PRODUCTION");
    await server.call(ADVANCE_STAGE, { id: ids[0] }, production.token);
    const advanced = await page({ filter: { product, stage: "GRANULATION" } });
    expect(batchNumbers(advanced)).toEqual([numbers[0]]);
    expect(advanced.totalCount).toBe(1);

    const oldestFirst: string[] = [];
    let after: string | null = null;
    do {
      const current = await page({ filter: { product }, orderBy: "CREATED_AT_ASC", first: 2, after });
      oldestFirst.push(...batchNumbers(current));
      after = current.pageInfo.hasNextPage ? current.pageInfo.endCursor : null;
    } while (after);
    expect(oldestFirst).toEqual(numbers);
    expect(batchNumbers(await page({ filter: { product }, orderBy: "BATCH_NUMBER_ASC", first: 2, offset: 3 }))).toEqual(numbers.slice(3, 5));

    // The creation window: from the second batch's creation (included) to the fifth's (excluded).
    const created = (await page({ filter: { product }, orderBy: "BATCH_NUMBER_ASC" })).nodes.map((n: { createdAt: string }) => n.createdAt);
    const window = { product, createdFrom: created[1], createdTo: created[4] };
    expect(batchNumbers(await page({ filter: window, orderBy: "BATCH_NUMBER_ASC" }))).toEqual(numbers.slice(1, 4));
  });

  it("matches % and _ in a searched product name as themselves, not as wildcards", async () => {
    const production = server.signIn("PRODUCTION");
    const code = `W-${randomBytes(4).toString("hex")}`;
    for (const [suffix, name] of [
      ["1", `Cream 10% w_w ${code}`],
      ["2", `Cream 10 pct wXw ${code}`],
    ]) {
      const created = await server.call(CREATE_BATCH, { input: batchInput(`${code}-${suffix}`, { productCode: code, productName: name }) }, production.token);
      expect(created.errors).toBeUndefined();
    }
    expect((await page({ filter: { product: `10% W_W ${code}` } })).nodes.map((n: { batchNumber: string }) => n.batchNumber)).toEqual([`${code}-1`]);
    expect((await page({ filter: { product: `_w ${code}` } })).totalCount).toBe(1);
    expect((await page({ filter: { product: `cream 10` } })).totalCount).toBeGreaterThanOrEqual(2);
  });

  it("refuses a cursor of another order, a forged cursor and a page larger than 100", async () => {
    const byDate = await page({ filter: { product }, first: 1 });
    const mixed = await server.call(PAGE, { filter: { product }, orderBy: "BATCH_NUMBER_ASC", after: byDate.pageInfo.endCursor }, viewer.token);
    expect(mixed.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      { message: "after is not a cursor of this list in orderBy BATCH_NUMBER_ASC", extensions: { code: "BAD_USER_INPUT", field: "after" } },
    ]);
    const forged = Buffer.from(JSON.stringify({ k: JSON.stringify(["CREATED_AT_DESC", "yesterday", "1; DROP"]) })).toString("base64url");
    expect((await server.call(PAGE, { after: forged }, viewer.token)).errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "after" });
    expect((await server.call(PAGE, { first: 101 }, viewer.token)).errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "first" });
  });
});

describe("batch and batchByNumber", () => {
  it("find a batch by id or number, and nothing for an unknown or malformed one", async () => {
    const query = `query($a: ID!, $b: ID!, $n: String!) { a: batch(id: $a) { batchNumber } b: batch(id: $b) { id } n: batchByNumber(number: $n) { id } }`;
    const result = await server.call(query, { a: ids[0], b: "42", n: numbers[1] }, viewer.token);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ a: { batchNumber: numbers[0] }, b: null, n: { id: ids[1] } });
  });

  it("give nothing to an anonymous caller, through a query or an entity reference", async () => {
    const anonymous = await server.call(`query($id: ID!) { batch(id: $id) { id } }`, { id: ids[0] });
    expect(anonymous.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    const entities = await server.call(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Batch { batchNumber } } }`, {
      r: [{ __typename: "Batch", id: ids[0] }],
    });
    expect(entities.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    const signedIn = await server.call(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Batch { batchNumber } } }`,
      {
        r: [{ __typename: "Batch", id: ids[0] }],
      },
      viewer.token,
    );
    expect(signedIn.data).toEqual({ _entities: [{ batchNumber: numbers[0] }] });
  });
});
