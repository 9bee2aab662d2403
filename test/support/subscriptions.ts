import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { Collector } from "./collector.js";

/** One subscription of a test, over a real graphql-ws client. */
export interface TestSubscription<TData = Record<string, any>> {
  /** Every `next` payload received, in order. */
  results: Array<{ data?: TData | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }>;
  /** `performance.now()` when each result arrived, for latency measurements. */
  receivedAt: number[];
  /** Resolves once `count` results arrived; rejects after `timeoutMs` saying how many did. */
  waitFor(count: number, timeoutMs?: number): Promise<TestSubscription<TData>["results"]>;
  /** Resolves with how the subscription ended: completed, or the error (errors array or close event). */
  ended: Promise<{ completed: true } | { error: unknown }>;
  /** How the socket closed, once it did. */
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once the server acknowledged the connection (`connection_ack`): its token was accepted. */
  connected: Promise<void>;
  close(): Promise<void>;
}

/**
 * Subscribes to `<baseUrl>/graphql` over WebSocket, as a browser would with graphql-ws,
 * sending `connectionParams` as given (for example `{ authorization: "Bearer …" }`).
 */
export function subscribe<TData = Record<string, any>>(
  baseUrl: string,
  connectionParams: Record<string, unknown> | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): TestSubscription<TData> {
  let onClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  let onConnected!: () => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const client: Client = createClient({
    url: `${baseUrl.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
    on: {
      connected: () => onConnected(),
      closed: (event) => onClosed({ code: (event as CloseEvent).code, reason: String((event as CloseEvent).reason) }),
    },
  });
  const results = new Collector<TestSubscription<TData>["results"][number]>("subscription results");
  const receivedAt: number[] = [];
  let end!: (outcome: { completed: true } | { error: unknown }) => void;
  const ended = new Promise<{ completed: true } | { error: unknown }>((resolve) => (end = resolve));
  client.subscribe<TData>(
    { query, variables },
    {
      next: (result) => {
        receivedAt.push(performance.now());
        results.push(result as never);
      },
      error: (error) => end({ error }),
      complete: () => end({ completed: true }),
    },
  );
  return {
    results: results.items,
    receivedAt,
    ended,
    closed,
    connected,
    waitFor: (count, timeoutMs) => results.waitFor(count, timeoutMs),
    close: () => client.dispose() as Promise<void>,
  };
}

/**
 * Resolves once the subscription delivers, for a subscription that cannot start from a known
 * event with `after`: graphql-ws acknowledges connections, not subscriptions, so `probe` causes
 * an event the subscription matches, again at each poll, until one has arrived.
 */
export async function untilDelivering(subscription: Pick<TestSubscription, "results" | "waitFor">, probe: () => Promise<unknown>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (subscription.results.length === 0) {
    if (Date.now() > deadline) throw new Error(`the subscription delivered nothing in ${timeoutMs} ms of probing`);
    await probe();
    await subscription.waitFor(1, 500).catch(() => undefined);
  }
}
