import { SUBSCRIPTION_AUTH_RECHECK_MS, WS_CONNECTION_INIT_TIMEOUT_MS, WS_MAX_PAYLOAD_BYTES, WS_MAX_SUBSCRIPTIONS } from "./variables/websockets.js";
import type { Env } from "./variable.js";

/** Bounds of every graphql-ws server (the gateway's and the production subgraph's). */
export interface WebSocketSettings {
  /**
   * `WS_MAX_PAYLOAD_BYTES`, default 65536 (64 KiB): the largest message accepted. `ws` reads a
   * frame's length before its body, so a larger one closes the socket with 1009 before it is
   * buffered, authenticated or not.
   */
  maxPayloadBytes: number;
  /** `WS_MAX_SUBSCRIPTIONS`, default 25: subscriptions open at once on one connection; beyond, a subscribe gets `TOO_MANY_REQUESTS`. */
  maxSubscriptions: number;
  /** `WS_CONNECTION_INIT_TIMEOUT_MS`, default 5000: how long a socket may stay without `connection_init` before it is closed with 4408. */
  connectionInitTimeoutMs: number;
  /**
   * `SUBSCRIPTION_AUTH_RECHECK_MS`, default 30000: how often every open connection's token is
   * verified again. A safety net only: revocations reach open connections at once through
   * Redis (`watchRevocations`).
   */
  authRecheckMs: number;
}

export function readWebSocketSettings(env: Env): WebSocketSettings {
  return {
    maxPayloadBytes: WS_MAX_PAYLOAD_BYTES.read(env),
    maxSubscriptions: WS_MAX_SUBSCRIPTIONS.read(env),
    connectionInitTimeoutMs: WS_CONNECTION_INIT_TIMEOUT_MS.read(env),
    authRecheckMs: SUBSCRIPTION_AUTH_RECHECK_MS.read(env),
  };
}
