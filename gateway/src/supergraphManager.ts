import { unwatchFile, watchFile } from "node:fs";
import type { SupergraphSdlHook } from "@apollo/gateway";
import type { Logger } from "#lib/logger.js";
import { readSupergraphSdl } from "./supergraph.js";

/**
 * The supergraph for `ApolloGateway`'s `supergraphSdl`: read from `path` at start, then read
 * again whenever the file changes (polled every `intervalMs`, which also sees a file replaced
 * by a rename), and handed to the gateway, which swaps its schema and query planner without
 * a restart; operations already running finish on the schema they started with. A file that
 * does not compose is logged and ignored: the gateway keeps serving the last good one.
 */
export function watchedSupergraph(path: string, logger: Logger, intervalMs = 1_000): SupergraphSdlHook {
  return async ({ update }) => {
    let current = readSupergraphSdl(path);
    const onChange = () => {
      let next: string;
      try {
        next = readSupergraphSdl(path);
      } catch (err) {
        logger.warn({ err, path }, "supergraph file unreadable, keeping the current schema");
        return;
      }
      if (next === current) return;
      try {
        update(next);
        current = next;
        logger.info({ path }, "supergraph reloaded");
      } catch (err) {
        logger.error({ err, path }, "new supergraph refused, keeping the current schema");
      }
    };
    watchFile(path, { interval: intervalMs, persistent: false }, onChange);
    return { supergraphSdl: current, cleanup: async () => unwatchFile(path, onChange) };
  };
}
