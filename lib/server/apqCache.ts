import type { KeyValueCache, KeyValueCacheSetOptions } from "@apollo/utils.keyvaluecache";
import type { Redis } from "ioredis";

/**
 * Apollo's `KeyValueCache` over the service's Redis connection, under `<REDIS_PREFIX>apq:`:
 * automatic persisted queries registered through one gateway instance are found by all.
 * Entries expire after `ttl` seconds (Apollo passes its own; `defaultTtlSeconds` otherwise,
 * default one day) so unused queries do not pile up.
 */
export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly defaultTtlSeconds = 86_400,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl ?? this.defaultTtlSeconds;
    if (ttl === null || ttl <= 0) await this.redis.set(this.prefix + key, value);
    else await this.redis.set(this.prefix + key, value, "EX", Math.ceil(ttl));
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }
}
