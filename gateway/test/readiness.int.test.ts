import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBackingServices } from "#lib/config.js";
import { startInProcessStack, type InProcessStack } from "../../test/support/inProcessStack.js";
import { startTcpProxy, type TcpProxy } from "../../test/support/tcpProxy.js";

let stack: InProcessStack;
let proxy: TcpProxy;
let gateway: { url: string };
let user: { url: string };

/** A stack whose Redis is reached through a proxy the test can cut. */
beforeAll(async () => {
  const redis = new URL(readBackingServices().redisUrl);
  proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
  const redisUrl = new URL(redis);
  redisUrl.hostname = "127.0.0.1";
  redisUrl.port = String(proxy.port);
  stack = await startInProcessStack({ events: false, env: { REDIS_URL: redisUrl.toString() } });
  ({ gateway, user } = stack);
});

afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
});

const ready = async (url: string) => {
  const response = await fetch(`${url}/ready`);
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string>; degraded?: string[] } };
};

async function eventually(url: string, until: number | ((result: Awaited<ReturnType<typeof ready>>) => boolean)) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = await ready(url);
    if ((typeof until === "number" ? result.status === until : until(result)) || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One sample of `/metrics`: the first line of `name` with every label of `labels` (besides the service's own). */
async function metric(url: string, name: string, labels: string[]): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
  return line === undefined ? undefined : Number(line.split(" ")[1]);
}

describe("/ready", () => {
  it("is ready when every dependency answers", async () => {
    // Ready once each has read the revocation list (from auth, right after start).
    expect(await eventually(user.url, 200)).toEqual({
      status: 200,
      body: { status: "ready", service: "user", checks: { postgresql: "ok", revocations: "ok", redis: "ok" } },
    });
    expect(await eventually(gateway.url, 200)).toEqual({
      status: 200,
      body: { status: "ready", service: "gateway", checks: { subgraphs: "ok", revocations: "ok", redis: "ok" } },
    });
    // Alive all along: /health does not look at dependencies.
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });

  it("stays true while Redis is unreachable, reporting it degraded, and keeps serving signed-in queries", async () => {
    const account = await stack.createUser();
    const token = await stack.login(account);
    proxy.cut();
    for (const service of [gateway, user]) {
      const down = await eventually(service.url, (result) => result.body.status === "degraded");
      expect(down.status).toBe(200);
      expect(down.body.degraded).toEqual(["redis"]);
      expect(down.body.checks.redis).not.toBe("ok");
      expect(await metric(service.url, "dependency_up", ['dependency="redis"', 'required="false"'])).toBe(0);
    }
    const me = await fetch(`${gateway.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ me { email } }" }),
    });
    expect(await me.json()).toEqual({ data: { me: { email: account.email } } });
    proxy.restore();
    for (const service of [gateway, user]) expect((await eventually(service.url, (result) => result.body.status === "ready")).status).toBe(200);
  });

  it("is false on the gateway when a subgraph is down", async () => {
    // Run first, the gateway may still be reading the revocation list.
    expect((await eventually(gateway.url, 200)).status).toBe(200);
    await stack.stopSubgraph("production");
    try {
      const down = await ready(gateway.url);
      expect(down.status).toBe(503);
      expect(down.body.checks.subgraphs).toMatch(/^production: /);
    } finally {
      await stack.restartSubgraph("production");
    }
    expect((await eventually(gateway.url, 200)).status).toBe(200);
  });
});
