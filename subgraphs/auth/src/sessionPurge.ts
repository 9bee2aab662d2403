import type { Logger } from "../../../lib/logger.js";
import type { Sessions } from "./sessions.js";

/**
 * Deletes ended sessions every `intervalSeconds` (`SESSION_PURGE_INTERVAL`), so that
 * `auth.refresh_tokens` does not grow forever. Every instance may run it: the DELETE is
 * idempotent. A failure is logged and retried at the next tick.
 */
export function startSessionPurge(sessions: Sessions, intervalSeconds: number, logger: Logger): () => void {
  const purge = () =>
    sessions.purgeExpired().then(
      (deleted) => deleted > 0 && logger.info({ deleted }, "ended sessions purged"),
      (err) => logger.warn({ err }, "purging ended sessions failed"),
    );
  const timer = setInterval(purge, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
