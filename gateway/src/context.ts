import type { RequestContext } from "../../lib/server/requestContext.js";

/** The gateway's per-request context: the verified caller and the request id, forwarded to subgraphs. */
export type GatewayContext = RequestContext;
