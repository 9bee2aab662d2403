import { Buffer } from "node:buffer";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Redis } from "ioredis";
import { RedisKeyValueCache } from "#lib/server/apqCache.js";
import type { GatewayContext } from "./context.js";

/** How long a registered query stays in Redis after it was last registered: one day. */
export const PERSISTED_QUERY_TTL_SECONDS = 86_400;

/**
 * Automatic persisted queries in Redis, shared by every gateway instance, with a bound on what
 * may be stored and by whom: only authenticated callers register queries, of at most
 * `maxBytes` (`APQ_MAX_QUERY_BYTES`: this graph's largest real operations are a few KB), for a day. Anyone may run a registered query by its hash; an anonymous caller's
 * full query (or an oversized one) runs without being stored. Otherwise 120 anonymous calls a
 * minute per IP, each with a 900 KB comment, would add gigabytes an hour to Redis.
 */
export const persistedQueryCache = (redis: Redis, redisPrefix: string) => ({
  cache: new RedisKeyValueCache(redis, `${redisPrefix}apq:`),
  ttl: PERSISTED_QUERY_TTL_SECONDS,
});

export function usePersistedQueryRegistration(maxBytes: number): ApolloServerPlugin<GatewayContext> {
  /**
   * Apollo Server decides to store the query (`persistedQueryRegister`) once it has checked the
   * hash, and stores it after `didResolveOperation`: turning the flag off here, where the
   * caller is known, keeps the query out of Redis and nothing else changes.
   */
  return {
    async requestDidStart() {
      return {
        async didResolveSource({ contextValue, metrics, source }) {
          if (!metrics.persistedQueryRegister) return;
          if (contextValue.auth === null || Buffer.byteLength(source, "utf8") > maxBytes) metrics.persistedQueryRegister = false;
        },
      };
    },
  };
}
