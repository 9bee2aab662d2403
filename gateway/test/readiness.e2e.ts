import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBackingServices } from "../../lib/config.js";
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
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
};

async function eventually(url: string, status: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = await ready(url);
    if (result.status === status || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("/ready", () => {
  it("is ready when every dependency answers", async () => {
    expect(await ready(user.url)).toEqual({
      status: 200,
      body: { status: "ready", service: "user", checks: { postgresql: "ok", redis: "ok", rabbitmq: "ok" } },
    });
    expect(await ready(gateway.url)).toEqual({ status: 200, body: { status: "ready", service: "gateway", checks: { redis: "ok", subgraphs: "ok" } } });
    // Alive all along: /health does not look at dependencies.
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });

  it("goes false while Redis is unreachable, and true again after", async () => {
    proxy.cut();
    for (const service of [gateway, user]) {
      const down = await eventually(service.url, 503);
      expect(down.status).toBe(503);
      expect(down.body.status).toBe("unavailable");
      expect(down.body.checks.redis).not.toBe("ok");
      expect((await fetch(`${service.url}/health`)).status).toBe(200);
    }
    proxy.restore();
    for (const service of [gateway, user]) expect((await eventually(service.url, 200)).body.status).toBe("ready");
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
