import type { EventCause } from "./batchEvents.js";

/**
 * Who asks for a change: the verified caller and the request. Apart from the writes, so that
 * the request context can name it without depending on them.
 */
export interface Actor extends EventCause {
  scopes: readonly string[];
}
