import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "#lib/auth/tokens.js";
import { startFakeAuth, type FakeAuth } from "../../../test/support/fakeAuth.js";
import { graphql } from "../../../test/support/graphql.js";
import { startInProcessSubgraph, type InProcessSubgraph } from "../../../test/support/inProcessSubgraph.js";
import { createQaServer } from "../src/server.js";

describe("the qa subgraph", () => {
  let auth: FakeAuth;
  let qa: InProcessSubgraph<"qa">;

  beforeAll(async () => {
    auth = await startFakeAuth();
    qa = await startInProcessSubgraph("qa", createQaServer, { AUTH_URL: auth.url });
  });

  afterAll(async () => {
    await qa?.stop();
    await auth?.stop();
  });

  const token = () =>
    signAccessToken(
      { id: "6f1c1b9e-52d5-4a53-9d55-0f6c3f1f9a01", email: "viewer@example.com", roles: ["VIEWER"] },
      { privateKey: auth.privateKey, kid: auth.kid, issuer: qa.runtime.config.issuer, audience: qa.runtime.config.audience, ttlSeconds: 60 },
    );

  it("answers a signed-in caller", async () => {
    const result = await graphql(qa.url, '{ specificationVersions(productCode: "NO-SUCH-PRODUCT") { id } }', {}, token());
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ specificationVersions: [] });
  });

  it("refuses a caller without a token", async () => {
    const result = await graphql(qa.url, '{ specificationVersions(productCode: "NO-SUCH-PRODUCT") { id } }');
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
