import type { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import type { Revocation } from "./revocationList.js";

/** What a revocation notice names: one token (logout) with its expiry, or every token of a user under an older generation. */
export type RevocationNotice = Revocation;

/** The Redis channel revocations are announced on: `<prefix>revocations`. */
export const revocationChannel = (prefix: string) => `${prefix}revocations`;

/** What a {@link watchRevocations} listener is told. */
export interface RevocationListener {
  /** A token or a user was revoked. */
  notice(notice: RevocationNotice): void;
  /**
   * The subscription is live again after the Redis connection dropped: notices published
   * meanwhile were lost, so whatever they would have changed must be read again.
   */
  gap(): void;
}

/**
 * Listens to revocation notices on a Redis connection of its own (duplicated from `redis`: a
 * subscribed connection can do nothing else). `ready` resolves once the first SUBSCRIBE is
 * acknowledged; `live` tells whether the subscription is up now; `close` ends the connection.
 */
export function watchRevocations(redis: Redis, prefix: string, listener: RevocationListener, logger?: Logger) {
  const channel = revocationChannel(prefix);
  // Subscribed again by hand on each connection, so that a gap is reported only once the
  // subscription is live again: a notice can then no longer fall between the two.
  const subscriber = redis.duplicate({ autoResubscribe: false });
  let connections = 0;
  let live = false;
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  subscriber.on("error", (err) => logger?.warn({ err }, "revocation notices: redis connection error"));
  subscriber.on("close", () => (live = false));
  subscriber.on("ready", () => {
    const first = connections++ === 0;
    subscriber.subscribe(channel).then(
      () => {
        live = true;
        if (first) onReady();
        else listener.gap();
      },
      (err: Error) => logger?.warn({ err }, "revocation notices: subscribing failed"),
    );
  });
  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    const notice = parseNotice(message);
    if (notice) listener.notice(notice);
    else logger?.warn({ message: message.slice(0, 200) }, "revocation notices: malformed notice ignored");
  });
  return {
    ready,
    /** Whether notices are being received now (false while the connection is down). */
    get live() {
      return live;
    },
    async close(): Promise<void> {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}

const isTime = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/** A notice as published by {@link announceRevocation}; anything else is `undefined`. */
export function parseNotice(message: string): RevocationNotice | undefined {
  try {
    const value = JSON.parse(message) as Record<string, unknown>;
    if (typeof value?.jti === "string" && isTime(value.exp)) return { jti: value.jti, exp: value.exp };
    if (typeof value?.userId === "string" && isTime(value.generation) && isTime(value.expiresAt)) {
      return { userId: value.userId, generation: value.generation, expiresAt: value.expiresAt };
    }
  } catch {
    // Not JSON: ignored below.
  }
  return undefined;
}

/** Publishes a revocation, once it is stored, to every service's list and open connections. */
export async function announceRevocation(redis: Redis, prefix: string, notice: RevocationNotice): Promise<void> {
  await redis.publish(revocationChannel(prefix), JSON.stringify(notice));
}
