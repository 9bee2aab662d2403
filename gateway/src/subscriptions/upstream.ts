import { Repeater } from "@repeaterjs/repeater";
import type { ExecutionResult } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { REQUEST_ID_HEADER } from "#lib/server/requestId.js";
import type { ServiceToken } from "../serviceTokens.js";
import type { UpstreamEvent } from "./enrich.js";

export interface UpstreamOptions {
  /** The owning subgraph's HTTP URL (`.../graphql`); graphql-ws is served on the same path. */
  url: string;
  query: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /**
   * The group's service token valid for at least `minValidMs` more (`ServiceTokens.get` with the
   * group's scopes): the subgraph verifies it like any token, and closes the socket when it expires.
   */
  token(minValidMs?: number): Promise<ServiceToken>;
  requestId: string;
}

/** How long before its token expires an upstream is replaced: a third of the token's life, at most a minute. */
const handoverLead = (lifetimeMs: number) => Math.min(60_000, lifetimeMs / 3);

/**
 * The subscription root field on the subgraph that owns it, over graphql-ws, authenticated with
 * a service token (in `connectionParams`) and the request id (the upgrade request's
 * `x-request-id`). The subgraph closes a socket whose token expires, so before that the
 * upstream is replaced make-before-break: a new one opens with a fresh token, both run for a
 * moment, and the old one closes. An event both deliver in that moment is passed on once (each
 * event of one side cancels one identical event of the other), so nothing is lost or doubled.
 */
export function openUpstream(options: UpstreamOptions): AsyncIterableIterator<UpstreamEvent> {
  return new Repeater<UpstreamEvent>(async (push, stop) => {
    const open = new Set<AsyncIterableIterator<UpstreamEvent>>();
    // During a handover, what each side delivered that the other has not yet: identical events cancel out.
    const unmatched = new Map<AsyncIterableIterator<UpstreamEvent>, Map<string, number>>();
    let current: AsyncIterableIterator<UpstreamEvent> | undefined;
    let timer: NodeJS.Timeout | undefined;

    // Resolves once the consumer took the event: an upstream is read no faster than its group enriches.
    const deliver = async (side: AsyncIterableIterator<UpstreamEvent>, event: UpstreamEvent) => {
      if (open.size < 2) return push(event);
      // Not the extensions: each side's delivery has a trace context of its own.
      const key = JSON.stringify([event.data, event.errors]);
      for (const [other, seen] of unmatched) {
        const count = other === side ? 0 : (seen.get(key) ?? 0);
        if (count > 0) return void (count === 1 ? seen.delete(key) : seen.set(key, count - 1));
      }
      const mine = unmatched.get(side) ?? new Map<string, number>();
      unmatched.set(side, mine.set(key, (mine.get(key) ?? 0) + 1));
      return push(event);
    };

    const start = async (minValidMs?: number) => {
      const token = await options.token(minValidMs);
      const side = connect(options, token.token);
      open.add(side);
      current = side;
      const lifetime = token.expiresAt - Date.now();
      timer = setTimeout(() => void handover(token).catch(stop), Math.max(0, lifetime - handoverLead(lifetime)));
      void (async () => {
        try {
          for await (const event of side) await deliver(side, event);
          if (side === current) stop();
        } catch (err) {
          if (side === current) stop(err);
        } finally {
          open.delete(side);
          unmatched.delete(side);
        }
      })();
    };

    const handover = async (old: ServiceToken) => {
      const previous = current!;
      // A token that outlives the old one.
      await start(old.expiresAt - Date.now() + 1_000);
      // The new subscription is live at the subgraph within this (graphql-ws acknowledges none).
      const overlap = Math.min(5_000, handoverLead(old.expiresAt - Date.now()) / 2);
      setTimeout(() => void previous.return?.(), overlap).unref();
    };

    await start().catch(stop);
    await stop;
    clearTimeout(timer);
    await Promise.all([...open].map((side) => side.return?.()));
  });
}

/** One graphql-ws client for one subscription, closed with it. */
function connect({ url, query, operationName, variables, token, requestId }: UpstreamOptions, initial: string): AsyncIterableIterator<UpstreamEvent> {
  class WebSocketWithRequestId extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: { [REQUEST_ID_HEADER]: requestId } });
    }
  }
  let first = true;
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocketWithRequestId,
    // A reconnection (after a lost connection) takes a token valid now.
    connectionParams: async () => {
      const bearer = first ? initial : (await token()).token;
      first = false;
      return { authorization: `Bearer ${bearer}` };
    },
    lazy: true,
    retryAttempts: 5,
  });
  const events = client.iterate<Record<string, unknown>>({ query, operationName, variables }) as AsyncIterableIterator<
    ExecutionResult<Record<string, unknown>>
  >;
  return {
    next: () => events.next(),
    async return() {
      await events.return?.();
      void client.dispose();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
