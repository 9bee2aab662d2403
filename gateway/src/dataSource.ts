import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { GraphQLError } from "graphql";
import { REQUEST_ID_HEADER } from "../../lib/server/requestId.js";
import type { GatewayContext } from "./context.js";
import { recordRefusal } from "./refusals.js";
import { SubgraphRefusal, SubgraphUnavailableError, subgraphErrorBody } from "./subgraphClient.js";

/**
 * Calls one subgraph, forwarding the caller's `Authorization` header (subgraphs verify the
 * token again) and the request id (so one id follows the call through every log).
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /** The subgraph's name, for errors (set from the constructor's `config`, as every option is). */
  declare readonly subgraph?: string;

  constructor(config?: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0] & { subgraph?: string }) {
    super(config);
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const { request, context } = options;
    const headers = request.http?.headers;
    if (!headers || !("requestId" in context)) return;
    const { requestId, authorization, clientIp } = context as GatewayContext;
    headers.set(REQUEST_ID_HEADER, requestId);
    if (authorization) headers.set("authorization", authorization);
    // The client's address (as `TRUST_PROXY` lets the gateway see it), for the subgraphs' per-IP limits.
    if (clientIp) headers.set("x-forwarded-for", clientIp);
  }

  /**
   * A 4xx whose body is a GraphQL response (the subgraph refused a value the gateway cannot
   * check, such as a malformed `DateTime`; or a token revoked since the gateway checked it) is
   * the subgraph's answer, passed on with its status; anything else is an error without a code
   * (masked), as Apollo makes it.
   */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource["errorFromResponse"]>[0]): Promise<GraphQLError> {
    if (response.status >= 400 && response.status < 500) {
      const body = subgraphErrorBody(await this.parseBody(response).catch(() => undefined));
      if (body) return new SubgraphRefusal(this.subgraph ?? this.url ?? "subgraph", response.status, undefined, body);
    }
    return super.errorFromResponse(response);
  }

  /**
   * A subgraph that refused the call on purpose (busy, rate limited) answers with its own
   * errors. A subgraph that cannot be reached (down, timed out, circuit open) answers like a
   * subgraph with an error: the gateway then returns the other subgraphs' data, and this error
   * with the subgraph's name in `extensions.serviceName`, instead of failing the whole operation.
   */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): ReturnType<RemoteGraphQLDataSource<GatewayContext>["process"]> {
    try {
      return await super.process(options);
    } catch (err) {
      if (err instanceof SubgraphRefusal) {
        // The subgraph's own answer, passed on as it is; its status and `Retry-After` too (refusals.ts).
        recordRefusal(options.context as GatewayContext | undefined, err);
        return { data: err.body.data ?? undefined, errors: err.body.errors } as never;
      }
      if (!(err instanceof SubgraphUnavailableError)) throw err;
      (options.context as Partial<GatewayContext>).logger?.warn({ err, subgraph: err.subgraph }, "subgraph unavailable");
      // For an entity fetch, the path of the first entity: the gateway maps it onto the
      // client's response (`["batches", "edges", 0, "node", "createdBy"]`): one error a fetch.
      const path = options.request.variables?.representations ? ["_entities", 0] : undefined;
      return { errors: [{ message: err.message, path, extensions: { code: "SERVICE_UNAVAILABLE" } }] as never };
    }
  }
}
