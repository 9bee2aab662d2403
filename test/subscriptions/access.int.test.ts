import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyId, signAccessToken } from "#lib/auth/tokens.js";
import { graphql } from "../support/graphql.js";
import { subscribe } from "../support/subscriptions.js";
import { bearer, STATUS_CHANGED, useSubscriptionStack } from "./batches.js";

/**
 * Who may subscribe: a token in `connectionParams` is required, and a token revoked or expired
 * while connected ends the subscription; operations are validated against the supergraph.
 * Revocation is checked again every half second here, so that the test sees it quickly.
 */
const world = useSubscriptionStack({ env: { SUBSCRIPTION_AUTH_RECHECK_MS: "500" } });

describe("authentication and validation", () => {
  it("refuses a connection without a token, with a clear reason", async () => {
    const sub = subscribe(world.gateway, undefined, STATUS_CHANGED);
    expect(await sub.closed).toEqual({ code: 4401, reason: 'Unauthorized: no token in connectionParams (send { authorization: "Bearer <token>" })' });
  });

  it("refuses a revoked token, and ends a subscription whose token is revoked while connected", async () => {
    const token = await world.fixture.login("viewer");
    const sub = subscribe(world.gateway, bearer(token), STATUS_CHANGED);
    // Accepted (connection_ack) before the logout: what ends it is the revocation of a live token.
    await sub.connected;
    const logout = await graphql(world.gateway, `mutation { logout }`, {}, token);
    expect(logout.errors).toBeUndefined();
    expect(await sub.closed).toEqual({ code: 4401, reason: "Unauthorized: token revoked" });

    const again = subscribe(world.gateway, bearer(token), STATUS_CHANGED);
    expect(await again.closed).toEqual({ code: 4401, reason: "Unauthorized: token revoked" });
  });

  it("ends a subscription when its token expires", async () => {
    const { privateKey } = world.fixture.stack;
    const shortLived = signAccessToken(
      { id: world.productionUserId, email: "viewer@example.com", roles: ["VIEWER"] },
      { privateKey, kid: keyId(createPublicKey(privateKey)), issuer: "batch-supergraph-auth", audience: "batch-supergraph", ttlSeconds: 3 },
    );
    const sub = subscribe(world.gateway, bearer(shortLived), STATUS_CHANGED);
    const started = Date.now();
    expect(await sub.closed).toEqual({ code: 4401, reason: "Unauthorized: token expired" });
    expect(Date.now() - started).toBeGreaterThan(1_000);
  });

  it("validates the operation against the supergraph", async () => {
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), `subscription { batchStatusChanged { nope } }`);
    const ended = await sub.ended;
    expect(ended).toEqual({
      error: [expect.objectContaining({ message: 'Cannot query field "nope" on type "BatchStatusChangedEvent".' })],
    });
    await sub.close();
  });

  it("applies the gateway's operation limits to subscriptions too", async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(" ");
    const sub = subscribe(world.gateway, bearer(world.tokens.viewer), `subscription { batchCreated { ${aliases} } }`);
    expect(await sub.ended).toEqual({
      error: [expect.objectContaining({ extensions: expect.objectContaining({ code: "MAX_ALIASES_LIMIT" }) })],
    });
    await sub.close();
  });
});
