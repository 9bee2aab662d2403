import { readInt, type Env } from "../config.js";

/** Bounds of every graphql-ws server (the gateway's and each subgraph's). */
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

export function readWebSocketSettings(env: Env = process.env): WebSocketSettings {
  return {
    maxPayloadBytes: readInt(env, "WS_MAX_PAYLOAD_BYTES", 65_536, 1_024, 104_857_600),
    maxSubscriptions: readInt(env, "WS_MAX_SUBSCRIPTIONS", 25, 1, 10_000),
    connectionInitTimeoutMs: readInt(env, "WS_CONNECTION_INIT_TIMEOUT_MS", 5_000, 100, 600_000),
    authRecheckMs: readInt(env, "SUBSCRIPTION_AUTH_RECHECK_MS", 30_000, 100, 3_600_000),
  };
}
