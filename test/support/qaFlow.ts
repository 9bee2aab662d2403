import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { batchInput, CHANGE_STATUS, CREATE_BATCH } from "../../subgraphs/production/test/operations.js";
import type { Role } from "#lib/auth/scopes.js";
import { createPrismaClient } from "#lib/prisma.js";
import { insertAccount, type TestAccount } from "./accounts.js";
import { graphql, type GraphQLResult } from "./graphql.js";
import { login } from "./login.js";

/** QA's operations as a client of the gateway sends them. */
export const QA_OPERATIONS = {
  publishSpecification: /* GraphQL */ `
    mutation Publish($input: PublishSpecificationInput!) { publishSpecification(input: $input) { id productCode version tests { code } } }
  `,
  recordTestResult: /* GraphQL */ `
    mutation Record($input: RecordTestResultInput!) {
      recordTestResult(input: $input) { id passed deviation { id number classification status } }
    }
  `,
  openDeviation: /* GraphQL */ `
    mutation Open($input: OpenDeviationInput!) { openDeviation(input: $input) { id number status version } }
  `,
  closeDeviation: /* GraphQL */ `
    mutation Close($id: ID!, $input: CloseDeviationInput!) { closeDeviation(id: $id, input: $input) { id status version } }
  `,
  releaseBatch: /* GraphQL */ `
    mutation Release($batchId: ID!, $signature: SignatureInput!) {
      releaseBatch(batchId: $batchId, signature: $signature) { id decision meaning signedAt signedByName manifestHash signedBy { id name } }
    }
  `,
  rejectBatch: /* GraphQL */ `
    mutation Reject($batchId: ID!, $reason: String!, $signature: SignatureInput!) {
      rejectBatch(batchId: $batchId, reason: $reason, signature: $signature) { id decision reason signedBy { id } }
    }
  `,
  batchQa: /* GraphQL */ `
    query BatchQa($id: ID!) {
      batch(id: $id) {
        id batchNumber status
        history { fromStatus toStatus reason changedBy { id name } }
        specification { productCode version }
        qaReady { ready blockers missingTests { code } failedTests { code } openDeviations { number } }
        releaseDecision { decision meaning signedAt signedBy { name } }
        deviations { number status }
      }
    }
  `,
} as const;

/** The tests of the product specifications the QA tests publish: two numeric, one text. */
export const SPEC_TESTS = [
  { code: "ASSAY", name: "Assay", method: "HPLC", unit: "%", lowerLimit: 95, upperLimit: 105 },
  { code: "DISSOLUTION", name: "Dissolution (30 min)", method: "Ph. Eur. 2.9.3", unit: "%", lowerLimit: 80 },
  { code: "APPEARANCE", name: "Appearance", method: "Visual", expectedText: "Complies" },
] as const;

/** Passing values of {@link SPEC_TESTS}. */
export const PASSING = { ASSAY: "99.8", DISSOLUTION: "92", APPEARANCE: "complies" } as const;

/** A client of the gateway acting for QA, with the helpers the release tests share. */
export interface QaClient {
  gateway: string;
  /** A new user of `roles` (written to the database, cheaply hashed), signed in through the gateway; with their password and token. */
  newUser(roles: Role[], name?: string): Promise<TestAccount & { token: string }>;
  /** Publishes a specification of {@link SPEC_TESTS} for a new product code. */
  newProduct(qaToken: string): Promise<string>;
  /** A new batch of `productCode`, moved by production to `status` (IN_PROGRESS or QA_HOLD). */
  newBatch(productCode: string, status: "PLANNED" | "IN_PROGRESS" | "QA_HOLD"): Promise<{ id: string; batchNumber: string }>;
  /** Records a result; asserts it was accepted. */
  record(
    qaToken: string,
    batchId: string,
    testCode: string,
    value: string,
  ): Promise<{ id: string; passed: boolean; deviation: { id: string; number: string } | null }>;
  /** Records a passing result of every test. */
  recordPassing(qaToken: string, batchId: string): Promise<void>;
  call(query: string, variables: Record<string, unknown>, token: string): Promise<GraphQLResult>;
  /** Closes its database connection. */
  close(): Promise<void>;
}

/** The helpers, for a gateway at `gateway` over the database at `databaseUrl`; `production` is a production user's token. */
export function qaClient(gateway: string, databaseUrl: string, tokens: { production: string }): QaClient {
  const call = (query: string, variables: Record<string, unknown>, token: string) => graphql(gateway, query, variables, token);
  const prisma = createPrismaClient(databaseUrl);
  const client: QaClient = {
    gateway,
    call,
    async newUser(roles, name = `QA ${randomBytes(3).toString("hex")}`) {
      const account = await insertAccount(prisma, { roles, name });
      return { ...account, token: await login(gateway, account.email, account.password) };
    },
    async newProduct(qaToken) {
      const productCode = `QA-${randomBytes(4).toString("hex").toUpperCase()}`;
      const published = await call(QA_OPERATIONS.publishSpecification, { input: { productCode, note: "First version", tests: SPEC_TESTS } }, qaToken);
      expect(published.errors).toBeUndefined();
      return productCode;
    },
    async newBatch(productCode, status) {
      const input = batchInput(`QA-B-${randomBytes(4).toString("hex").toUpperCase()}`, { productCode });
      const created = await call(CREATE_BATCH, { input }, tokens.production);
      expect(created.errors).toBeUndefined();
      const batch = created.data!.createBatch as { id: string; batchNumber: string };
      for (const next of status === "PLANNED" ? [] : status === "IN_PROGRESS" ? ["IN_PROGRESS"] : ["IN_PROGRESS", "QA_HOLD"]) {
        const moved = await call(CHANGE_STATUS, { id: batch.id, status: next }, tokens.production);
        expect(moved.errors).toBeUndefined();
      }
      return batch;
    },
    async record(qaToken, batchId, testCode, value) {
      const input = { batchId, testCode, value, instrument: "HPLC-07", testedAt: new Date(Date.now() - 60_000).toISOString() };
      const recorded = await call(QA_OPERATIONS.recordTestResult, { input }, qaToken);
      expect(recorded.errors).toBeUndefined();
      return recorded.data!.recordTestResult;
    },
    async recordPassing(qaToken, batchId) {
      for (const [code, value] of Object.entries(PASSING)) await client.record(qaToken, batchId, code, value);
    },
    close: () => prisma.$disconnect(),
  };
  return client;
}
