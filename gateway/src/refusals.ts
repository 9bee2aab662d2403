import type { ApolloServerPlugin } from "@apollo/server";
import type { GatewayContext } from "./context.js";
import type { SubgraphRefusal } from "./subgraphErrors.js";

/** Notes on the request's context that a subgraph refused part of it; the highest status and longest wait win. */
export function recordRefusal(context: GatewayContext | undefined, refusal: SubgraphRefusal): void {
  // Calls made outside an HTTP request (subscription events) have no response to shape.
  if (typeof context !== "object" || context === null || context.clientIp === undefined) return;
  const previous = context.refusal;
  const waits = [previous?.retryAfter, refusal.retryAfter].filter((s): s is number => s !== undefined);
  context.refusal = { status: Math.max(previous?.status ?? 0, refusal.status), retryAfter: waits.length > 0 ? Math.max(...waits) : undefined };
}

/**
 * A subgraph's refusal reaches the client with the same status: a deliberate one (503 or 429,
 * such as auth's "Sign-in is busy") with its `Retry-After`, so that the client backs off
 * instead of retrying at once; a 4xx (a value only the subgraph could check) as the client's
 * mistake. Only when the refusal left no data to show: a query that still has other
 * subgraphs' data answers 200 with the error beside it, as for a subgraph that is down.
 */
export const useRefusalStatus = (): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        const { refusal } = contextValue;
        if (!refusal || response.body.kind !== "single") return;
        const { data } = response.body.singleResult;
        if (data && Object.values(data).some((value) => value !== null)) return;
        response.http.status = refusal.status;
        if (refusal.retryAfter !== undefined) response.http.headers.set("retry-after", String(refusal.retryAfter));
      },
    };
  },
});
