import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";

/**
 * A GraphQL document typed by codegen: what `graphql(...)` of `rest/__generated__/` returns
 * for a document of `rest/routes/`. Its text is the operation (with the fragments it spreads);
 * its types are the operation's result and variables.
 */
export interface TypedDocument<TData, TVariables> extends DocumentTypeDecoration<TData, TVariables> {
  toString(): string;
}

/**
 * The variables a route hands to the graph: exactly the names the document declares, every
 * required one present, each value as the client sent it. The values are left to the graph,
 * which refuses a wrong one (422) with the message a GraphQL client would get.
 */
export type RouteVariables<TVariables> = { [K in keyof TVariables]: unknown };

/** The operation one request runs: a typed document and this request's variables. */
export interface OperationCall<TData> {
  document: TypedDocument<TData, never>;
  variables: Record<string, unknown>;
}

/**
 * Pairs a document with the variables of a request, which tsc checks against the document's:
 * a variable renamed, added or dropped in the operation fails the build, not a legacy client.
 */
export function run<TData, TVariables>(document: TypedDocument<TData, TVariables>, variables: NoInfer<RouteVariables<TVariables>>): OperationCall<TData> {
  return { document: document as TypedDocument<TData, never>, variables };
}
