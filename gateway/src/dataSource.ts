import { context as otelContext, propagation } from "@opentelemetry/api";
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { GraphQLError } from "graphql";
import type { Counter } from "prom-client";
import { REQUEST_ID_HEADER } from "#lib/server/requestId.js";
import type { GatewayContext } from "./context.js";
import type { InflightQueries } from "./inflightQueries.js";
import { recordRefusal } from "./refusals.js";
import type { SubgraphAnswer, SubgraphClient } from "./subgraphClient.js";
import { SubgraphRefusal, SubgraphUnavailableError, subgraphErrorBody } from "./subgraphErrors.js";

type Response = Awaited<ReturnType<GraphQLDataSource["process"]>>;

/** The query is a read (may be retried and shared), not a mutation. */
const isQuery = (query: string | undefined) => query !== undefined && /^\s*(query\b|\{)/.test(query);

export interface ForwardingDataSourceOptions {
  client: SubgraphClient;
  /** Identical queries in flight, shared by every data source of the gateway. */
  inflight?: InflightQueries<SubgraphAnswer>;
  /** Counts the calls that joined one already in flight. */
  deduplicated?: Counter<"subgraph">;
}

/**
 * Calls one subgraph, forwarding the caller's `Authorization` header (subgraphs verify the
 * token again), the request id (so one id follows the call through every log) and the
 * client's address (for the subgraphs' per-IP limits). It implements `GraphQLDataSource`
 * directly over the subgraph's pooled client instead of `RemoteGraphQLDataSource` and its
 * WHATWG `fetch` layers. Identical queries in flight at the same time, for the same caller
 * (token, or address when anonymous), are sent once; mutations never are.
 */
export class ForwardingDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(private readonly options: ForwardingDataSourceOptions) {}

  get subgraph(): string {
    return this.options.client.name;
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const { request } = options;
    const context = options.context as Partial<GatewayContext>;
    const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
    if (context.requestId) headers[REQUEST_ID_HEADER] = context.requestId;
    if (context.authorization) headers.authorization = context.authorization;
    // The client's address (as `TRUST_PROXY` lets the gateway see it), for the subgraphs' per-IP limits.
    if (context.clientIp) headers["x-forwarded-for"] = context.clientIp;
    // `traceparent` of the fetch's span when tracing is on: the subgraph's spans join the trace.
    propagation.inject(otelContext.active(), headers);
    const { client, inflight, deduplicated } = this.options;
    const query = isQuery(request.query);
    try {
      const send = () => client.post(body, headers, query);
      const answer =
        query && inflight
          ? await inflight.run(`${client.name}\n${context.authorization ?? `anonymous ${context.clientIp ?? ""}`}\n${body}`, send, () =>
              deduplicated?.inc({ subgraph: client.name }),
            )
          : await send();
      return this.response(answer);
    } catch (err) {
      if (err instanceof SubgraphRefusal) {
        // The subgraph's own answer, passed on as it is; its status and `Retry-After` too (refusals.ts).
        recordRefusal(context as GatewayContext, err);
        return { data: err.body.data ?? undefined, errors: err.body.errors } as Response;
      }
      if (!(err instanceof SubgraphUnavailableError)) throw err;
      context.logger?.warn({ err, subgraph: err.subgraph }, "subgraph unavailable");
      // For an entity fetch, the path of the first entity: the gateway maps it onto the
      // client's response (`["batches", "edges", 0, "node", "createdBy"]`): one error a fetch.
      const path = request.variables?.representations ? ["_entities", 0] : undefined;
      return { errors: [{ message: err.message, path, extensions: { code: "SERVICE_UNAVAILABLE" } }] as never };
    }
  }

  /**
   * A GraphQL response, parsed for this caller alone (a shared answer is text, so no two
   * requests share objects the gateway merges into). A 4xx whose body is a GraphQL response
   * (the subgraph refused a value the gateway cannot check, such as a malformed `DateTime`; or
   * a token revoked since the gateway checked it) is the subgraph's answer, passed on with its
   * status; anything else is an error without a code, masked for the client.
   */
  private response({ status, contentType, text }: SubgraphAnswer): Response {
    const json = /json/.test(contentType) ? parseJson(text) : undefined;
    if (status >= 200 && status < 300 && json && typeof json === "object") return json as Response;
    const body = subgraphErrorBody(json);
    if (body && status >= 400 && status < 500) throw new SubgraphRefusal(this.subgraph, status, undefined, body);
    throw new GraphQLError(`${status}: subgraph ${this.subgraph} answered ${json === undefined ? "without a GraphQL response" : "with an error status"}`, {
      extensions: { response: { status, body: text.slice(0, 1_000) } },
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
