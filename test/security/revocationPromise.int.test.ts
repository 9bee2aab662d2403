import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInProcessStack, type InProcessStack } from "../support/inProcessStack.js";

/**
 * The revocation promise (issue 13, DESIGN "Identity"), with every service checking tokens
 * against its in-memory list: a revoked token is refused by the gateway on the very next
 * request, and by a subgraph's own port within a second.
 */
let stack: InProcessStack;
beforeAll(async () => {
  stack = await startInProcessStack({ events: false });
});
afterAll(() => stack?.stop());

const ME = `{ me { id } }`;
const BATCHES = `{ batches(first: 1) { edges { node { id } } } }`;
const code = async (query: string, token: string, baseUrl?: string) => {
  const result = await stack.call(query, {}, token, baseUrl);
  return result.errors?.[0]?.extensions?.code ?? "OK";
};

/** Milliseconds until the production subgraph refuses `token`; fails past a second. */
async function refusedByProductionWithin(token: string): Promise<number> {
  const started = performance.now();
  while ((await code(BATCHES, token, stack.production.url)) !== "UNAUTHENTICATED") {
    if (performance.now() - started > 1_000) throw new Error("the production subgraph still accepts the token after 1 s");
  }
  return performance.now() - started;
}

describe("a revoked token", () => {
  it("is refused by the gateway on the next request after logout, and by the production subgraph within a second", async () => {
    const account = await stack.createUser();
    const token = await stack.login(account);
    expect(await code(ME, token)).toBe("OK");
    expect(await code(BATCHES, token, stack.production.url)).toBe("OK");
    const logout = await stack.call(`mutation { logout }`, {}, token);
    expect(logout.data).toEqual({ logout: true });
    expect(await code(ME, token)).toBe("UNAUTHENTICATED");
    expect(await refusedByProductionWithin(token)).toBeLessThan(1_000);
  });

  it("is refused the same way once its user is deactivated", async () => {
    const admin = await stack.createUser({ roles: ["ADMIN"] });
    const adminToken = await stack.login(admin);
    const account = await stack.createUser();
    const token = await stack.login(account);
    expect(await code(BATCHES, token, stack.production.url)).toBe("OK");
    const deactivated = await stack.call(`mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { active } }`, { id: account.id }, adminToken);
    expect(deactivated.data).toEqual({ updateUser: { active: false } });
    expect(await code(ME, token)).toBe("UNAUTHENTICATED");
    expect(await refusedByProductionWithin(token)).toBeLessThan(1_000);
  });

  it("is checked without asking Redis: the gateway refuses it, and accepts others, with its Redis connection gone", async () => {
    const account = await stack.createUser();
    const [revoked, valid] = [await stack.login(account), await stack.login(account)];
    expect((await stack.call(`mutation { logout }`, {}, revoked)).data).toEqual({ logout: true });
    const redis = stack.gateway.runtime.redis;
    redis.disconnect();
    try {
      expect(await code(ME, revoked)).toBe("UNAUTHENTICATED");
      expect(await code(ME, valid)).toBe("OK");
    } finally {
      await redis.connect();
    }
  });
});
