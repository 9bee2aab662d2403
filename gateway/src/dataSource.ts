import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GatewayContext } from "./context.js";
import { requestScope } from "./requestScope.js";
import { SubgraphUnavailableError } from "./subgraphClient.js";

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
    // The client's address (as `TRUST_PROXY` lets the gateway see it), for the subgraphs' per-IP limits.
    const client = requestScope.getStore()?.ip;
    if (client) headers.set("x-forwarded-for", client);
  }

  /**
   * A subgraph that cannot be reached (down, timed out, circuit open) answers like a subgraph
   * with an error: the gateway then returns the other subgraphs' data, and this error with the
   * subgraph's name in `extensions.serviceName`, instead of failing the whole operation.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): ReturnType<RemoteGraphQLDataSource<GatewayContext>["process"]> {
    try {
      return await super.process(options);
    } catch (err) {
      if (!(err instanceof SubgraphUnavailableError)) throw err;
      (options.context as Partial<GatewayContext>).logger?.warn({ err, subgraph: err.subgraph }, "subgraph unavailable");
      // For an entity fetch, the path of the first entity: the gateway maps it onto the
      // client's response (`["batches", "edges", 0, "node", "createdBy"]`): one error a fetch.
      const path = options.request.variables?.representations ? ["_entities", 0] : undefined;
      return { errors: [{ message: err.message, path, extensions: { code: "SERVICE_UNAVAILABLE" } }] as never };
    }
  }
}
