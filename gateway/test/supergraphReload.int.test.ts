import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { graphql } from "../../test/support/graphql.js";
import { login } from "../../test/support/login.js";
import { startInProcessStack, type InProcessGateway, type InProcessStack } from "../../test/support/inProcessStack.js";
import { subscribe } from "../../test/support/subscriptions.js";

let stack: InProcessStack;
let gateway: InProcessGateway;
const dir = mkdtempSync(join(tmpdir(), "supergraph-"));
const path = join(dir, "supergraph.graphql");
const original = readFileSync(new URL("../../supergraph.graphql", import.meta.url), "utf8");

beforeAll(async () => {
  writeFileSync(path, original);
  stack = await startInProcessStack({ env: { SUPERGRAPH_PATH: path, RATE_LIMIT_ANONYMOUS: "1000000" } });
  gateway = stack.gateway;
  await stack.seed();
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const DESCRIPTION = `{ __type(name: "Batch") { description } }`;

/** Replaces the file the way a deployment does: written aside, then renamed over it. */
function replace(text: string) {
  writeFileSync(`${path}.next`, text);
  renameSync(`${path}.next`, path);
}

async function description(): Promise<string> {
  const result = await graphql(gateway.url, DESCRIPTION);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!.__type.description;
}

it("swaps the schema when supergraph.graphql is replaced, without failing the requests in between", async () => {
  const before = await description();
  expect(before).toMatch(/^A production batch of one product/);

  let stop = false;
  const failures: unknown[] = [];
  const load = (async () => {
    while (!stop) {
      const result = await graphql(gateway.url, `{ __typename }`);
      if (result.status !== 200 || result.errors) failures.push(result);
    }
  })();

  // A file that does not compose is refused: the gateway keeps serving the last good schema.
  replace("this is not a supergraph");
  const refused = (l: Record<string, unknown>) =>
    l.msg === "supergraph file unreadable, keeping the current schema" || l.msg === "new supergraph refused, keeping the current schema";
  await expect.poll(() => gateway.logs.some(refused), { timeout: 10_000 }).toBe(true);
  expect(await description()).toBe(before);

  replace(original.replace("A production batch of one product.", "Reloaded: a production batch of one product."));
  await expect.poll(description, { timeout: 10_000 }).not.toBe(before);
  stop = true;
  await load;
  expect(await description()).toMatch(/^Reloaded: a production batch/);
  expect(failures).toEqual([]);
  expect(gateway.logs.some((l) => l.msg === "supergraph reloaded")).toBe(true);
});

/** The error a subscription gets at once, or undefined when it is accepted (nothing within a second). */
async function refusal(token: string, query: string): Promise<unknown> {
  const subscription = subscribe(gateway.url, { token }, query);
  const outcome = await Promise.race([subscription.ended, new Promise<undefined>((r) => setTimeout(() => r(undefined), 1_000))]);
  await subscription.close();
  return outcome && "error" in outcome ? outcome.error : undefined;
}

it("plans new subscriptions on the reloaded supergraph", async () => {
  const token = await login(gateway.url, "viewer@example.com");
  const COMPLETED = `subscription { batchCompleted { id } }`;
  expect(await refusal(token, COMPLETED)).toBeUndefined();

  // A supergraph without `Subscription.batchCompleted`: once reloaded, the field is unknown.
  const field = /\n {2}"""\n {2}Every batch completed[^]*?batchCompleted: Batch![^\n]*\n/;
  expect(original).toMatch(field);
  replace(original.replace(field, "\n"));
  await expect
    .poll(() => refusal(token, COMPLETED), { timeout: 15_000, interval: 200 })
    .toEqual([expect.objectContaining({ message: expect.stringMatching(/^Cannot query field "batchCompleted" on type "Subscription"\./) })]);
  expect(await refusal(token, `subscription { batchCreated { id } }`)).toBeUndefined();
});
