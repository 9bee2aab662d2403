import type { ExecutionResult } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { REQUEST_ID_HEADER } from "../../../lib/server/requestId.js";
import type { UpstreamEvent } from "./enrich.js";

export interface UpstreamOptions {
  /** The owning subgraph's HTTP URL (`.../graphql`); graphql-ws is served on the same path. */
  url: string;
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** The subscriber's `Authorization` (`Bearer …`), verified again by the subgraph. */
  authorization: string;
  requestId: string;
}

/**
 * Opens the subscription root field on the subgraph that owns it, over graphql-ws, forwarding
 * the caller's token (in `connectionParams`) and the request id (as the upgrade request's
 * `x-request-id`). One client per upstream subscription: it closes with it.
 */
export function openUpstream({ url, query, operationName, variables, authorization, requestId }: UpstreamOptions): AsyncIterableIterator<UpstreamEvent> {
  class WebSocketWithRequestId extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { [REQUEST_ID_HEADER]: requestId } });
    }
  }
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocketWithRequestId,
    connectionParams: { authorization },
    lazy: true,
    retryAttempts: 5,
  });
  const events = client.iterate<Record<string, unknown>>({ query, operationName, variables }) as AsyncIterableIterator<ExecutionResult<Record<string, unknown>>>;
  const dispose = () => void client.dispose();
  return {
    next: () => events.next(),
    async return() {
      await events.return?.();
      dispose();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
