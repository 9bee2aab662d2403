import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBackingServices } from "../../lib/config.js";
import { login as accessToken } from "../../test/support/login.js";
import { seedStack } from "../../test/support/seed.js";
import { startService, type RunningService } from "../../test/support/services.js";
import { startStack, type Stack } from "../../test/support/stack.js";
import { startTcpProxy, type TcpProxy } from "../../test/support/tcpProxy.js";

let stack: Stack;
let proxy: TcpProxy;
let gateway: RunningService;
let user: RunningService;

/** A gateway and a user subgraph whose Redis is reached through a proxy the test can cut. */
beforeAll(async () => {
  stack = await startStack();
  const redis = new URL(readBackingServices().redisUrl);
  proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
  const redisUrl = new URL(redis);
  redisUrl.hostname = "127.0.0.1";
  redisUrl.port = String(proxy.port);
  user = await startService("user", { ...stack.env, REDIS_URL: redisUrl.toString() });
  gateway = await startService("gateway", { ...stack.env, REDIS_URL: redisUrl.toString(), USER_URL: user.url, PRODUCTION_URL: stack.production.url });
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), user?.stop()]);
  await proxy?.close();
  await stack?.stop();
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
    expect(await ready(user.url)).toEqual({
      status: 200,
      body: { status: "ready", service: "user", checks: { postgresql: "ok", revocations: "ok", redis: "ok" } },
    });
    expect(await ready(gateway.url)).toEqual({
      status: 200,
      body: { status: "ready", service: "gateway", checks: { subgraphs: "ok", revocations: "ok", redis: "ok" } },
    });
    // Alive all along: /health does not look at dependencies.
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });

  it("stays true while Redis is unreachable, reporting it degraded, and keeps serving signed-in queries", async () => {
    await seedStack(stack);
    const token = await accessToken(gateway.url, "viewer@example.com");
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
    expect(await me.json()).toEqual({ data: { me: { email: "viewer@example.com" } } });
    proxy.restore();
    for (const service of [gateway, user]) expect((await eventually(service.url, (result) => result.body.status === "ready")).status).toBe(200);
  });

  it("is false on the gateway when a subgraph is down", async () => {
    const production = await startService("production", stack.env);
    const other = await startService("gateway", { ...stack.env, USER_URL: stack.user.url, PRODUCTION_URL: production.url });
    try {
      expect((await ready(other.url)).status).toBe(200);
      await production.stop();
      const down = await ready(other.url);
      expect(down.status).toBe(503);
      expect(down.body.checks.subgraphs).toMatch(/^production: /);
    } finally {
      await Promise.all([other.stop(), production.stop()]);
    }
  });
});
