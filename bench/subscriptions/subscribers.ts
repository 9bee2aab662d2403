/**
 * The bench's subscribers: one graphql-ws client (one WebSocket) each, as browser tabs would
 * be, keeping only what the figures need: each event id and when it arrived.
 */
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface BenchSubscriber {
  /** Which of the operations it runs. */
  operation: number;
  /** Event id -> times received (more than once is a duplicate). */
  received: Map<string, number>;
  /** `performance.now()` of each first receipt, by event id. */
  receivedAt: Map<string, number>;
  /** Results delivered with errors (a subgraph's fields missing), counted in `received` too when they name the event. */
  withErrors: number;
  /** Results without an event id. */
  faulty: number;
  /** Why it ended, if it did before the bench closed it. */
  ended?: string;
  client: Client;
}

/** Opens a subscriber and resolves once its connection is acknowledged (its token accepted). */
export async function openSubscriber(
  gatewayUrl: string,
  token: string,
  operation: number,
  query: string,
  variables: Record<string, unknown>,
): Promise<BenchSubscriber> {
  let connected!: () => void;
  let refused!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => ((connected = resolve), (refused = reject)));
  const client = createClient({
    url: `${gatewayUrl.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
    on: {
      connected: () => connected(),
      closed: (event) => {
        const { code, reason } = event as CloseEvent;
        subscriber.ended ??= `closed ${code} ${reason}`;
        refused(new Error(`subscriber refused: ${code} ${reason}`));
      },
    },
  });
  const subscriber: BenchSubscriber = { operation, received: new Map(), receivedAt: new Map(), withErrors: 0, faulty: 0, client };
  client.subscribe<{ batchStatusChanged?: { eventId?: string } }>(
    { query, variables },
    {
      next: ({ data, errors }) => {
        const at = performance.now();
        const id = data?.batchStatusChanged?.eventId;
        if (errors?.length) subscriber.withErrors += 1;
        if (!id) return void (subscriber.faulty += 1);
        const times = (subscriber.received.get(id) ?? 0) + 1;
        subscriber.received.set(id, times);
        if (times === 1) subscriber.receivedAt.set(id, at);
      },
      error: (err) => void (subscriber.ended ??= `error ${JSON.stringify(err).slice(0, 200)}`),
      complete: () => void (subscriber.ended ??= "completed"),
    },
  );
  await ready;
  return subscriber;
}
