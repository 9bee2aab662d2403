import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayContext } from "./context.js";

/**
 * Calls one subgraph, forwarding the caller's `Authorization` header (subgraphs verify the
 * token again) and the request id (so one id follows the call through every log).
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const { request, context } = options;
    const headers = request.http?.headers;
    if (!headers || !("requestId" in context)) return;
    const { requestId, authorization } = context as GatewayContext;
    headers.set("x-request-id", requestId);
    if (authorization) headers.set("authorization", authorization);
  }
}
