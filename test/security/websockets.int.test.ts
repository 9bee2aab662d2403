import { randomBytes, randomUUID } from "node:crypto";
import { createClient, type Client } from "graphql-ws";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readBackingServices } from "#lib/config.js";
import { batchInput, CREATE_BATCH } from "../../subgraphs/production/test/operations.js";
import { Collector } from "../support/collector.js";
import { readCounter } from "../support/graphql.js";
import { startInProcessStack, type InProcessStack, type TestAccount } from "../support/inProcessStack.js";
import { subscribe } from "../support/subscriptions.js";

/**
 * Attacks on the graphql-ws servers of the gateway and of the production subgraph (which also
 * answers on its own port): sockets that outlive their token, mutations over a socket, internal
 * error text in events, frames and subscription counts without bounds.
 */
let stack: InProcessStack;
const redis = new Redis(readBackingServices().redisUrl);

beforeAll(async () => {
  stack = await startInProcessStack({ events: false });
});
afterAll(async () => {
  await stack?.stop();
  redis.disconnect();
});
// Each test closes its sockets; the next one starts once both servers saw them go.
afterEach(async () => {
  await until(async () => (await openSockets()) === 0, 5_000, "every WebSocket closed");
});

const BATCH_CREATED = /* GraphQL */ `subscription { batchCreated { id batchNumber } }`;
const STATUS_CHANGED = /* GraphQL */ `subscription Changes($batchId: ID) { batchStatusChanged(batchId: $batchId) { eventId } }`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("sockets that outlive their token", () => {
  it("a user deactivated while sockets are open on the production subgraph and on the gateway is disconnected from both within a second, and can no longer run createBatch over the subgraph socket", async () => {
    const { token: adminToken } = await signedIn(["ADMIN"]);
    const { account, token } = await signedIn(["PRODUCTION"], "login");
    const onSubgraph = connect(stack.production.url, token);
    const onGateway = subscribe(stack.gateway.url, bearer(token), BATCH_CREATED);
    await Promise.all([onSubgraph.connected, onGateway.connected]);

    const deleted = await stack.call(`mutation($id: ID!) { deleteUser(id: $id) { id active } }`, { id: account.id }, adminToken);
    expect(deleted.errors).toBeUndefined();
    const closes = await within(1_000, Promise.all([onSubgraph.closed, onGateway.closed]), "both sockets closed");
    expect(closes).toEqual([
      { code: 4401, reason: "Unauthorized: token revoked" },
      { code: 4401, reason: "Unauthorized: token revoked" },
    ]);

    const batchNumber = uniqueBatchNumber();
    const attempt = await run(onSubgraph.client, CREATE_BATCH, { input: batchInput(batchNumber) });
    expect(attempt).toEqual({ error: { code: 4401, reason: "Unauthorized: token revoked" } });
    expect(await batchExists(batchNumber)).toBe(false);
    await onSubgraph.close();
  });

  it("a token logged out while sockets are open on the production subgraph and on the gateway is disconnected from both within a second", async () => {
    const { token } = await signedIn(["VIEWER"], "login");
    const onSubgraph = connect(stack.production.url, token);
    const onGateway = subscribe(stack.gateway.url, bearer(token), BATCH_CREATED);
    await Promise.all([onSubgraph.connected, onGateway.connected]);

    const logout = await stack.call(`mutation { logout }`, {}, token);
    expect(logout.data).toEqual({ logout: true });
    const closes = await within(1_000, Promise.all([onSubgraph.closed, onGateway.closed]), "both sockets closed");
    expect(closes).toEqual([
      { code: 4401, reason: "Unauthorized: token revoked" },
      { code: 4401, reason: "Unauthorized: token revoked" },
    ]);
    await onSubgraph.close();
  });

  it("a token expired while a subgraph socket is open can no longer use it: the socket closes when the token expires", async () => {
    const account = await stack.createUser({ roles: ["VIEWER"] });
    const token = stack.tokenFor(account, 2);
    const expiresAt = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).exp * 1000;
    const onSubgraph = connect(stack.production.url, token);
    await onSubgraph.connected;
    expect(await within(expiresAt - Date.now() + 1_000, onSubgraph.closed, "the socket closed")).toEqual({
      code: 4401,
      reason: "Unauthorized: token expired",
    });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    await onSubgraph.close();
  });

  it("a mutation or a query sent over the production subgraph's WebSocket is refused and told to use HTTP POST", async () => {
    const { token } = await signedIn(["PRODUCTION"]);
    const onSubgraph = connect(stack.production.url, token);
    const batchNumber = uniqueBatchNumber();
    expect(await run(onSubgraph.client, CREATE_BATCH, { input: batchInput(batchNumber) })).toEqual({
      error: [{ message: "Only subscriptions run over WebSocket; send the mutation over HTTP POST /graphql", extensions: { code: "BAD_REQUEST" } }],
    });
    expect(await batchExists(batchNumber)).toBe(false);
    expect(await run(onSubgraph.client, `{ batches { totalCount } }`)).toEqual({
      error: [{ message: "Only subscriptions run over WebSocket; send the query over HTTP POST /graphql", extensions: { code: "BAD_REQUEST" } }],
    });
    // The gateway answers the same.
    const onGateway = connect(stack.gateway.url, token);
    expect(await run(onGateway.client, CREATE_BATCH, { input: batchInput(batchNumber) })).toEqual({
      error: [{ message: "Only subscriptions run over WebSocket; send the mutation over HTTP POST /graphql", extensions: { code: "BAD_REQUEST" } }],
    });
    await Promise.all([onSubgraph.close(), onGateway.close()]);
  });
});

describe("internal errors on the subgraph's WebSocket", () => {
  it("database error text in a subscription event reaches the subscriber masked, and is logged in full with the request id", async () => {
    const { token } = await signedIn(["VIEWER"]);
    const requestId = `ws-mask-${randomUUID()}`;
    const onSubgraph = connect(stack.production.url, token, { "x-request-id": requestId });
    const results = new Collector<unknown>("subscription results");
    onSubgraph.client.subscribe(
      { query: BATCH_CREATED },
      { next: (r) => results.push(r), error: (e) => results.push({ error: e }), complete: () => undefined },
    );
    // Events naming a batch id PostgreSQL cannot read: the resolver's query fails. Published
    // until the first reaches the subscriber, which listens on Redis once it is set up.
    const channel = `${stack.env.REDIS_PREFIX}events:batch.created`;
    await until(
      async () => {
        const event = {
          id: randomUUID(),
          type: "batch.created",
          occurredAt: new Date().toISOString(),
          source: "test",
          correlationId: requestId,
          data: { batch_id: "not-a-uuid" },
        };
        await redis.publish(channel, JSON.stringify(event));
        return results.items.length > 0;
      },
      5_000,
      "an event delivered",
    );

    const [result] = results.items;
    expect(result).toEqual({
      data: null,
      errors: [
        { message: "Internal server error", locations: [{ line: 1, column: 16 }], path: ["batchCreated"], extensions: { code: "INTERNAL_SERVER_ERROR" } },
      ],
    });
    const logged = stack.production.logs.find((line) => line.msg === "internal error" && line.requestId === requestId);
    expect(logged).toMatchObject({ level: 50, path: ["batchCreated"], err: { message: expect.stringContaining("not-a-uuid") } });
    await onSubgraph.close();
  });
});

describe("resources taken before and after authentication", () => {
  it.each(["gateway", "production"] as const)(
    "an oversized frame (1 MB connection_init) closes the %s socket with 1009, and the server keeps serving",
    async (service) => {
      const url = stack[service].url;
      const socket = rawSocket(url);
      await socket.opened;
      socket.ws.send(JSON.stringify({ type: "connection_init", payload: { padding: "x".repeat(1_000_000) } }));
      expect((await socket.closed).code).toBe(1009);

      const { token } = await signedIn(["VIEWER"]);
      const next = connect(url, token);
      await within(5_000, next.connected, "a new connection acknowledged");
      await next.close();
    },
  );

  it.each(["gateway", "production"] as const)(
    "a socket on the %s that never sends connection_init is closed with 4408",
    async (service) => {
      const socket = rawSocket(stack[service].url);
      await socket.opened;
      const opened = Date.now();
      expect(await within(7_000, socket.closed, "the socket closed")).toEqual({ code: 4408, reason: "Connection initialisation timeout" });
      expect(Date.now() - opened).toBeGreaterThanOrEqual(4_500);
    },
    15_000,
  );

  it("the 26th subscription on one gateway connection is refused, and 300 subscribes open 25 upstream subscriptions, not 300", async () => {
    const { token } = await signedIn(["VIEWER"]);
    const onGateway = connect(stack.gateway.url, token);
    await onGateway.connected;
    const errors = new Collector<unknown>("refused subscriptions");
    const unsubscribes = Array.from({ length: 300 }, () =>
      onGateway.client.subscribe(
        { query: STATUS_CHANGED, variables: { batchId: randomUUID() } },
        { next: () => undefined, error: (error) => errors.push(error), complete: () => undefined },
      ),
    );
    await errors.waitFor(275, 10_000);
    expect(new Set(errors.items.map((error) => JSON.stringify(error)))).toEqual(new Set([JSON.stringify([TOO_MANY])]));
    await until(async () => (await readCounter(stack.gateway.url, "graphql_subscriptions_active")) === 25, 5_000, "25 subscriptions active");
    expect(await readCounter(stack.gateway.url, "graphql_subscription_upstreams")).toBe(25);
    expect(errors.items).toHaveLength(275);
    for (const unsubscribe of unsubscribes) unsubscribe();
    await onGateway.close();
  });

  it("the 26th subscription on one production subgraph connection is refused", async () => {
    const { token } = await signedIn(["VIEWER"]);
    const onSubgraph = connect(stack.production.url, token);
    await onSubgraph.connected;
    const errors = new Collector<unknown>("refused subscriptions");
    for (let i = 0; i < 26; i += 1) {
      onSubgraph.client.subscribe(
        { query: STATUS_CHANGED, variables: { batchId: randomUUID() } },
        { next: () => undefined, error: (error) => errors.push(error), complete: () => undefined },
      );
    }
    expect(await errors.waitFor(1, 5_000)).toEqual([[TOO_MANY]]);
    await until(async () => (await readCounter(stack.production.url, "graphql_subscriptions_active")) === 25, 5_000, "25 subscriptions active");
    expect(errors.items).toHaveLength(1);
    await onSubgraph.close();
  });

  it("a subscriber leaving a quiet subscription on the production subgraph frees it at once, not at the next event it would have got", async () => {
    const { token } = await signedIn(["VIEWER"]);
    const onSubgraph = connect(stack.production.url, token);
    const channel = `${stack.env.REDIS_PREFIX}events:batch.status.changed`;
    const listeners = async () => ((await redis.pubsub("NUMSUB", channel)) as [string, number])[1];
    onSubgraph.client.subscribe(
      { query: STATUS_CHANGED, variables: { batchId: randomUUID() } },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    await until(async () => (await listeners()) === 1, 5_000, "the subscription listening on Redis");
    await onSubgraph.close();
    await until(async () => (await readCounter(stack.production.url, "graphql_subscriptions_active")) === 0, 2_000, "the subscription ended");
    await until(async () => (await listeners()) === 0, 2_000, "the Redis listener gone");
  });

  it("a subscription over the operation limits is refused on the production subgraph's own port, as on the gateway", async () => {
    const { token } = await signedIn(["VIEWER"]);
    const onSubgraph = connect(stack.production.url, token);
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(" ");
    expect(await run(onSubgraph.client, `subscription { batchCreated { ${aliases} } }`)).toEqual({
      error: [{ message: "Aliases limit of 15 exceeded, found 16.", extensions: { code: "MAX_ALIASES_LIMIT" } }],
    });
    const tokens = Array.from({ length: 1_000 }, () => "id").join(" ");
    expect(await run(onSubgraph.client, `subscription { batchCreated { ${tokens} } }`)).toEqual({
      // graphql-js' own wording.
      error: [
        {
          message: "Document contains more that 1000 tokens. Parsing aborted.",
          locations: [{ line: 1, column: 3019 }],
          extensions: { code: "MAX_TOKENS_LIMIT" },
        },
      ],
    });
    await onSubgraph.close();
  });
});

const TOO_MANY = { message: "Too many subscriptions on this connection: 25 at most", extensions: { code: "TOO_MANY_REQUESTS" } };

/** A new account with `roles` and a token of its own: signed by the stack's key, or from a real `login` through the gateway. */
async function signedIn(roles: TestAccount["roles"], how: "login" | "signed" = "signed"): Promise<{ account: TestAccount; token: string }> {
  const account = await stack.createUser({ roles });
  return { account, token: how === "login" ? await stack.login(account) : stack.tokenFor(account) };
}

const uniqueBatchNumber = () => `WS-${randomBytes(5).toString("hex").toUpperCase()}`;

async function batchExists(batchNumber: string): Promise<boolean> {
  const reader = await signedIn(["VIEWER"]);
  const found = await stack.call(`query($n: String!) { batchByNumber(number: $n) { id } }`, { n: batchNumber }, reader.token);
  expect(found.errors).toBeUndefined();
  return found.data!.batchByNumber !== null;
}

/** Sockets still open on the gateway and on the production subgraph, from their metrics. */
async function openSockets(): Promise<number> {
  const counts = await Promise.all([stack.gateway.url, stack.production.url].map((url) => readCounter(url, "graphql_ws_connections")));
  return counts.reduce((a, b) => a + b, 0);
}

/** A graphql-ws client that connects at once and stays connected (no reconnection), with the upgrade request's headers. */
function connect(baseUrl: string, token: string, headers: Record<string, string> = {}) {
  let onClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  let onConnected!: () => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  class WebSocketWithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client: Client = createClient({
    url: `${baseUrl.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocketWithHeaders,
    connectionParams: bearer(token),
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: {
      connected: () => onConnected(),
      closed: (event) => onClosed({ code: (event as CloseEvent).code, reason: String((event as CloseEvent).reason) }),
    },
  });
  return { client, closed, connected, close: () => client.dispose() as Promise<void> };
}

/** Runs one operation over a client: its results, or how it failed (GraphQL errors or a close event's code and reason). */
function run(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<unknown> {
  return new Promise((resolve) => {
    const results: unknown[] = [];
    client.subscribe(
      { query, variables },
      {
        next: (result) => results.push(result),
        error: (error) => {
          const close = error as CloseEvent;
          resolve({ error: typeof close?.code === "number" ? { code: close.code, reason: String(close.reason) } : error });
        },
        complete: () => resolve({ results }),
      },
    );
  });
}

/** A bare WebSocket speaking graphql-ws' subprotocol, that sends only what the test sends. */
function rawSocket(baseUrl: string) {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
  // Writing the rest of an oversized frame after the server closed fails: that is expected.
  ws.on("error", () => undefined);
  const opened = new Promise<void>((resolve) => ws.once("open", () => resolve()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  return { ws, opened, closed };
}

/** `promise`, or a rejection naming `what` after `ms`. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` until it holds, failing after `ms`. */
async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`${what}: not within ${ms} ms`);
    },
    { timeout: ms, interval: 50 },
  );
}
