import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from "@apollo/gateway";
import type { QueryPlan } from "@apollo/query-planner";
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from "graphql";
import { apiError } from "#lib/errors.js";
import type { GatewayContext } from "../context.js";
import type { SubscriptionPlan, SubscriptionPlanner } from "./planner.js";

/** What `executeQueryPlan` reads of a request: the request, the context, the logger. */
type GatewayGraphQLRequestContext = Parameters<typeof executeQueryPlan>[2];

/** The service name the event itself is served under in the per-event plan. */
const EVENT_SERVICE = "__subscription_event__";

/** Errors as a subgraph sent them (JSON), as errors graphql-ws can send on (it calls `toJSON`). */
export function upstreamErrors(errors: readonly GraphQLFormattedError[]): GraphQLError[] {
  return errors.map((e) => new GraphQLError(e.message, { path: e.path, extensions: e.extensions }));
}

/** One event of the upstream subscription, as the owning subgraph sent it. */
export type UpstreamEvent = ExecutionResult<Record<string, unknown>>;

/**
 * Turns each event of a subscription into the client's result: runs the plan
 * `Sequence[primary, rest]` with `executeQueryPlan`, the primary fetch answered by the event
 * itself and `rest` by the real subgraphs (the same data sources and URLs as queries), so the
 * fields other subgraphs own are fetched and the result is shaped to the client's operation.
 */
export function eventEnricher(planner: SubscriptionPlanner, services: ServiceMap, plan: SubscriptionPlan, variables: Record<string, unknown>) {
  const primary = { ...plan.primary, serviceName: EVENT_SERVICE };
  const queryPlan: QueryPlan = { kind: "QueryPlan", node: plan.rest ? { kind: "Sequence", nodes: [primary, plan.rest] } : primary };
  const { operationContext } = plan;
  const source = operationContext.operation.loc?.source.body ?? "";

  return async (event: UpstreamEvent, context: GatewayContext): Promise<ExecutionResult> => {
    // The owner refused the event (an error resolving the root field): nothing to enrich.
    if (!event.data) return { errors: upstreamErrors(event.errors ?? []) };
    const fromEvent: GraphQLDataSource = { process: async () => ({ data: event.data, errors: event.errors }) };
    const requestContext = {
      request: { query: source, variables, operationName: operationContext.operation.name?.value },
      context,
      logger: context.logger,
      metrics: {},
      cache: undefined,
      overallCachePolicy: undefined,
    } as unknown as GatewayGraphQLRequestContext;
    const result = await executeQueryPlan(
      queryPlan,
      { ...services, [EVENT_SERVICE]: fromEvent },
      requestContext,
      operationContext,
      planner.supergraphSchema,
      planner.apiSchema,
    );
    if (result.errors?.length) return { data: result.data ?? null, errors: result.errors } as ExecutionResult;
    // A GraphQL response never says `data: null` without saying why.
    if (!result.data) return { data: null, errors: [apiError("INTERNAL_SERVER_ERROR", "The event could not be completed")] };
    return { data: result.data } as ExecutionResult;
  };
}
