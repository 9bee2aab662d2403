import type { ApolloServer } from "@apollo/server";
import type { Request } from "express";
import type { GraphQLFormattedError } from "graphql";
import type { RequestContext } from "#lib/server/requestContext.js";
import type { RestOperation } from "./route.js";

/** What a REST route gets back from the graph. */
export interface GraphQLOutcome {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

/** Runs a route's operation for one HTTP request. */
export type Executor = (req: Request, operation: RestOperation) => Promise<GraphQLOutcome>;

/** An Apollo Server and the context factory its `/graphql` endpoint uses. */
export interface GraphQLTarget {
  apollo: ApolloServer<RequestContext>;
  /** Builds the same context `/graphql` would for this request (verified caller, request id, client address). */
  contextFor(req: Request): Promise<RequestContext>;
}

/**
 * Runs operations through `target`'s own Apollo Server with the context `/graphql` builds, so
 * that REST gets the same query plan, plugins, authorization, token forwarding and request id
 * as GraphQL. `target` is read per call: the server is built after its routes.
 * The context factory may throw (an invalid token is a 401 `GraphQLError`): callers map it.
 */
export function apolloExecutor(target: () => GraphQLTarget): Executor {
  return async (req, { query, variables }) => {
    const { apollo, contextFor } = target();
    const contextValue = await contextFor(req);
    const response = await apollo.executeOperation({ query, variables }, { contextValue });
    if (response.body.kind !== "single") throw new Error("REST operations never defer or stream");
    const { data, errors } = response.body.singleResult;
    return { data, errors };
  };
}
