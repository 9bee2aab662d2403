import type { Logger } from "#lib/logger.js";

/** A table of rows that expire: ended sessions, past revocations, forgotten login failures. */
export interface Purgeable {
  /** Deletes the rows that can no longer matter; resolves to how many went. */
  purgeExpired(): Promise<number>;
}

/**
 * Deletes what has expired every `intervalSeconds` (`SESSION_PURGE_INTERVAL`): ended sessions,
 * revocations of tokens that expired since, old login failures, so that no table of
 * `auth` grows forever. Every instance may run it: the DELETEs are idempotent. A failure is
 * logged and retried at the next tick.
 */
export function startSessionPurge(tables: Purgeable[], intervalSeconds: number, logger: Logger): () => void {
  const purge = () =>
    Promise.all(tables.map((table) => table.purgeExpired())).then(
      (counts) => counts.some((n) => n > 0) && logger.info({ deleted: counts }, "expired auth rows purged"),
      (err) => logger.warn({ err }, "purging expired auth rows failed"),
    );
  const timer = setInterval(purge, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
