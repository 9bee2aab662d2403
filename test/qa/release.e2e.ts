import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANGE_STATUS } from "../../subgraphs/production/test/operations.js";
import { QA_OPERATIONS, qaClient, type QaClient } from "../support/qaFlow.js";
import { subscribe, untilDelivering } from "../support/subscriptions.js";
import { until } from "../support/until.js";
import { startSubscriptionFixture, type ProcessFixtureStack, type SubscriptionFixture } from "../subscriptions/fixture.js";

/**
 * The QA release of a batch, end to end through the gateway, against the five services as real
 * processes: results, deviations, the signed decision, and the production subgraph following it.
 */
describe("a batch released by a signed QA decision", () => {
  let fixture: SubscriptionFixture<ProcessFixtureStack>;
  let qa: QaClient;
  let productionToken: string;
  /** The QA user who signs, unless a test needs one of its own (the throttle test). */
  let signer: Awaited<ReturnType<QaClient["newUser"]>>;
  let product: string;

  beforeAll(async () => {
    fixture = await startSubscriptionFixture({
      processes: true,
      // Two wrong signatures free, then delays (the throttle test); sign-ins of the users the tests create.
      env: { LOGIN_MAX_FAILURES: "2", RATE_LIMIT_LOGIN: "1000" },
    });
    productionToken = await fixture.login("production");
    qa = qaClient(fixture.stack.gateway.url, fixture.stack.env.DATABASE_URL!, { production: productionToken });
    signer = await qa.newUser(["QA"], "Quinn Signer");
    product = await qa.newProduct(signer.token);
  }, 180_000);

  afterAll(async () => {
    await qa?.close();
    await fixture?.close();
  });

  const release = (token: string, batchId: string, password: string, meaning = "approved for release") =>
    qa.call(QA_OPERATIONS.releaseBatch, { batchId, signature: { password, meaning } }, token);
  const batchQa = async (id: string, token: string) => {
    const read = await qa.call(QA_OPERATIONS.batchQa, { id }, token);
    expect(read.errors).toBeUndefined();
    return read.data!.batch;
  };

  it("goes PLANNED → IN_PROGRESS → QA_HOLD → RELEASED, the signer in production's history and the decision through the gateway", async () => {
    const batch = await qa.newBatch(product, "QA_HOLD");
    await qa.recordPassing(signer.token, batch.id);
    expect((await batchQa(batch.id, signer.token)).qaReady).toEqual({ ready: true, blockers: [], missingTests: [], failedTests: [], openDeviations: [] });

    const released = await release(signer.token, batch.id, signer.password);
    expect(released.errors).toBeUndefined();
    const decision = released.data!.releaseBatch;
    expect(decision).toMatchObject({
      decision: "RELEASED",
      meaning: "approved for release",
      signedByName: "Quinn Signer",
      signedBy: { id: signer.id, name: "Quinn Signer" },
    });
    expect(decision.manifestHash).toMatch(/^[0-9a-f]{64}$/);

    const read = await until("production follows the decision", async () => {
      const now = await batchQa(batch.id, productionToken);
      return now.status === "RELEASED" ? now : undefined;
    });
    expect(read.history.at(-1)).toEqual({
      fromStatus: "QA_HOLD",
      toStatus: "RELEASED",
      reason: `QA decision ${decision.id}: approved for release`,
      changedBy: { id: signer.id, name: "Quinn Signer" },
    });
    expect(read.history.filter((change: { toStatus: string }) => change.toStatus === "RELEASED")).toHaveLength(1);
    expect(read.releaseDecision).toEqual({
      decision: "RELEASED",
      meaning: "approved for release",
      signedAt: decision.signedAt,
      signedBy: { name: "Quinn Signer" },
    });
    expect(read.specification).toEqual({ productCode: product, version: 1 });
  });

  it("refuses the release, naming what is missing, while a test has no result, while one failed, and while a deviation is open", async () => {
    const batch = await qa.newBatch(product, "QA_HOLD");

    await qa.record(signer.token, batch.id, "ASSAY", "99.1");
    const missing = await release(signer.token, batch.id, signer.password);
    expect(missing.errors).toEqual([
      expect.objectContaining({
        message: `Batch ${batch.batchNumber} cannot be released: no result for Dissolution (30 min) (DISSOLUTION), Appearance (APPEARANCE)`,
        extensions: expect.objectContaining({ code: "CONFLICT", missingTests: ["DISSOLUTION", "APPEARANCE"], failedTests: [], openDeviations: [] }),
      }),
    ]);

    // Out of specification: the result fails and opens a deviation at once.
    const failed = await qa.record(signer.token, batch.id, "DISSOLUTION", "71");
    expect(failed).toMatchObject({ passed: false, deviation: { classification: "MAJOR", status: "OPEN" } });
    await qa.record(signer.token, batch.id, "APPEARANCE", "Complies");
    const refused = await release(signer.token, batch.id, signer.password);
    expect(refused.errors?.[0]).toMatchObject({
      message: `Batch ${batch.batchNumber} cannot be released: failed: Dissolution (30 min) (DISSOLUTION); open deviations: ${failed.deviation!.number}`,
      extensions: { code: "CONFLICT", missingTests: [], failedTests: ["DISSOLUTION"], openDeviations: [failed.deviation!.number] },
    });

    // A passing retest: only the open deviation is left.
    await qa.record(signer.token, batch.id, "DISSOLUTION", "88");
    const open = await release(signer.token, batch.id, signer.password);
    expect(open.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", failedTests: [], openDeviations: [failed.deviation!.number] });

    const closed = await qa.call(
      QA_OPERATIONS.closeDeviation,
      { id: failed.deviation!.id, input: { rootCause: "Dissolution bath at 32 °C", capa: "Bath temperature checked before each run", version: 1 } },
      signer.token,
    );
    expect(closed.errors).toBeUndefined();
    const released = await release(signer.token, batch.id, signer.password);
    expect(released.errors).toBeUndefined();
    expect(released.data!.releaseBatch.decision).toBe("RELEASED");
  });

  it("refuses a wrong password, then throttles the signer like sign-ins, and keeps the batch in QA_HOLD", async () => {
    const signer = await qa.newUser(["QA"]);
    const batch = await qa.newBatch(product, "QA_HOLD");
    await qa.recordPassing(signer.token, batch.id);

    for (let attempt = 0; attempt < 2; attempt++) {
      const wrong = await release(signer.token, batch.id, "not-my-password");
      expect(wrong.errors).toEqual([
        expect.objectContaining({ message: "Signature refused: wrong password", extensions: expect.objectContaining({ code: "UNAUTHENTICATED" }) }),
      ]);
    }
    // LOGIN_MAX_FAILURES=2: the next attempt must wait, even with the right password.
    const throttled = await release(signer.token, batch.id, signer.password);
    expect(throttled.errors?.[0]?.extensions).toMatchObject({ code: "TOO_MANY_REQUESTS", retryAfter: expect.any(Number) });
    const read = await batchQa(batch.id, signer.token);
    expect(read).toMatchObject({ status: "QA_HOLD", releaseDecision: null });
  });

  it("is QA's alone: production and viewers are refused, and so is the old direct path", async () => {
    const batch = await qa.newBatch(product, "QA_HOLD");
    await qa.recordPassing(signer.token, batch.id);
    for (const role of ["PRODUCTION", "VIEWER"] as const) {
      const other = await qa.newUser([role]);
      const refused = await release(other.token, batch.id, other.password);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN" });
    }
    const direct = await qa.call(CHANGE_STATUS, { id: batch.id, status: "RELEASED" }, signer.token);
    expect(direct.errors?.[0]).toMatchObject({
      message: `Batch ${batch.batchNumber} is released or rejected through the QA service: use releaseBatch(batchId, signature) or rejectBatch(batchId, reason, signature)`,
      extensions: { code: "BAD_USER_INPUT", field: "status", qaMutation: "releaseBatch" },
    });
    expect((await batchQa(batch.id, signer.token)).status).toBe("QA_HOLD");
  });

  it("refuses a decision on a batch that is not in QA_HOLD", async () => {
    const batch = await qa.newBatch(product, "IN_PROGRESS");
    await qa.recordPassing(signer.token, batch.id);
    const refused = await release(signer.token, batch.id, signer.password);
    expect(refused.errors?.[0]).toMatchObject({
      message: `Batch ${batch.batchNumber} is IN_PROGRESS: a release needs a batch in QA_HOLD`,
      extensions: { code: "CONFLICT", status: "IN_PROGRESS" },
    });
  });

  it("rejects a batch with a signed reason; production follows, and the decision is final", async () => {
    const batch = await qa.newBatch(product, "QA_HOLD");
    const rejected = await qa.call(
      QA_OPERATIONS.rejectBatch,
      { batchId: batch.id, reason: "Assay out of specification on retest", signature: { password: signer.password, meaning: "rejected" } },
      signer.token,
    );
    expect(rejected.errors).toBeUndefined();
    await until("production follows the rejection", async () => (await batchQa(batch.id, productionToken)).status === "REJECTED");
    const again = await release(signer.token, batch.id, signer.password);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT" });
  });

  it("delivers deviationOpened and batchReleased to graphql-ws subscribers of the gateway", async () => {
    const params = { authorization: `Bearer ${signer.token}` };
    const deviations = subscribe(fixture.stack.gateway.url, params, "subscription { deviationOpened { number title batch { id batchNumber } } }");
    const decisions = subscribe(
      fixture.stack.gateway.url,
      params,
      "subscription { batchReleased(includeRejections: true) { decision batch { id status } signedBy { name } } }",
    );
    try {
      // graphql-ws acknowledges connections, not subscriptions: probe with throwaway records until each delivers.
      const scratch = await qa.newBatch(product, "PLANNED");
      await untilDelivering(deviations, () =>
        qa.call(
          QA_OPERATIONS.openDeviation,
          { input: { batchId: scratch.id, title: "Probe", description: "Subscription probe", classification: "MINOR" } },
          signer.token,
        ),
      );
      expect(deviations.results[0]!.data!.deviationOpened).toMatchObject({ title: "Probe", batch: { id: scratch.id, batchNumber: scratch.batchNumber } });
      await untilDelivering(decisions, async () => {
        const probe = await qa.newBatch(product, "QA_HOLD");
        await qa.call(
          QA_OPERATIONS.rejectBatch,
          { batchId: probe.id, reason: "Subscription probe", signature: { password: signer.password, meaning: "rejected" } },
          signer.token,
        );
      });

      const batch = await qa.newBatch(product, "QA_HOLD");
      await qa.recordPassing(signer.token, batch.id);
      const released = await release(signer.token, batch.id, signer.password);
      expect(released.errors).toBeUndefined();
      const event = await until("the release reaches the subscriber", () =>
        decisions.results.find((result) => result.data?.batchReleased.batch.id === batch.id && result.data.batchReleased.decision === "RELEASED"),
      );
      expect(event.data!.batchReleased).toMatchObject({ signedBy: { name: signer.name } });
    } finally {
      await Promise.all([deviations.close(), decisions.close()]);
    }
  });

  it("keeps the signed record as it was: PostgreSQL refuses to change or delete a decision", async () => {
    const client = new pg.Client({ connectionString: fixture.stack.env.DATABASE_URL });
    await client.connect();
    try {
      await expect(client.query("UPDATE qa.release_decisions SET meaning = 'changed'")).rejects.toThrow("qa.release_decisions is append-only: UPDATE refused");
      await expect(client.query("DELETE FROM qa.release_decisions")).rejects.toThrow("qa.release_decisions is append-only: DELETE refused");
      await expect(client.query("TRUNCATE qa.release_decisions")).rejects.toThrow("qa.release_decisions is append-only: TRUNCATE refused");
    } finally {
      await client.end();
    }
  });
});
