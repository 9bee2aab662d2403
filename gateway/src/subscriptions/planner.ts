import { buildOperationContext } from "@apollo/gateway";
import { operationFromDocument, Supergraph, type Schema } from "@apollo/federation-internals";
import { QueryPlanner, type FetchNode, type PlanNode } from "@apollo/query-planner";
import { getOperationAST, GraphQLError, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from "graphql";

type OperationContext = ReturnType<typeof buildOperationContext>;

/** A subscription planned over the supergraph: the root field's fetch and the rest of the plan. */
export interface SubscriptionPlan {
  /** The fetch of the subscription root field, to the subgraph that owns it. */
  primary: FetchNode;
  /** What the rest of each event needs from other subgraphs (entity fetches); none when the owner serves it all. */
  rest: PlanNode | undefined;
  operationContext: OperationContext;
}

/**
 * Plans subscriptions as `@apollo/gateway` plans queries, from the same supergraph SDL
 * (`readSupergraphSdl`): the gateway plans them too but refuses to execute them.
 */
export class SubscriptionPlanner {
  readonly supergraph: Supergraph;
  readonly apiSchema: Schema;
  /** The API schema clients see, where operations are validated. */
  readonly schema: GraphQLSchema;
  /** The supergraph schema, which `executeQueryPlan` needs. */
  readonly supergraphSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;

  constructor(supergraphSdl: string) {
    this.supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = this.supergraph.apiSchema();
    this.schema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphSchema = this.supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(this.supergraph);
  }

  /** Subgraph names and the URLs composed into the supergraph. */
  subgraphs(): ReadonlyArray<{ name: string; url: string }> {
    return this.supergraph.subgraphsMetadata();
  }

  /**
   * Validates a subscription document against the API schema (with `extraRules`, the gateway's
   * operation limits) and plans it. Returns the
   * validation errors instead when there are any (a query or mutation is refused too: those
   * go over HTTP).
   */
  plan(
    document: DocumentNode,
    operationName: string | undefined,
    extraRules: readonly ValidationRule[] = [],
  ): SubscriptionPlan | readonly GraphQLError[] {
    const errors = validate(this.schema, document, [...specifiedRules, ...extraRules]);
    if (errors.length > 0) return errors;
    const operation = getOperationAST(document, operationName);
    if (!operation) return [new GraphQLError(operationName ? `Unknown operation ${operationName}` : "Name the operation to run")];
    if (operation.operation !== "subscription") {
      return [new GraphQLError(`Only subscriptions run over WebSocket; send the ${operation.operation} over HTTP POST /graphql`)];
    }
    const plan = this.planner.buildQueryPlan(operationFromDocument(this.apiSchema, document, { operationName }));
    if (plan.node?.kind !== "Subscription") throw new Error(`expected a subscription plan, got ${plan.node?.kind}`);
    return {
      primary: plan.node.primary,
      rest: plan.node.rest,
      operationContext: buildOperationContext({ schema: this.schema, operationDocument: document, operationName }),
    };
  }
}
