import { buildOperationContext } from "@apollo/gateway";
import { operationFromDocument, Supergraph, type Schema } from "@apollo/federation-internals";
import { QueryPlanner, type FetchNode, type PlanNode } from "@apollo/query-planner";
import type { DocumentNode, GraphQLSchema } from "graphql";

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
   * Plans a subscription document already checked against {@link schema}
   * (`validateOperation`, `subscriptionOperation` from `lib/server/wsOperations.ts`).
   */
  plan(document: DocumentNode, operationName: string | undefined): SubscriptionPlan {
    const plan = this.planner.buildQueryPlan(operationFromDocument(this.apiSchema, document, { operationName }));
    if (plan.node?.kind !== "Subscription") throw new Error(`expected a subscription plan, got ${plan.node?.kind}`);
    return {
      primary: plan.node.primary,
      rest: plan.node.rest,
      operationContext: buildOperationContext({ schema: this.schema, operationDocument: document, operationName }),
    };
  }
}
