import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Supergraph } from "@apollo/federation-internals";
import { printSchema, type GraphQLSchema } from "graphql";

/** The composed supergraph the gateway serves (`npm run compose` writes it). */
export const SUPERGRAPH_PATH = fileURLToPath(new URL("../supergraph.graphql", import.meta.url));

/**
 * The API schema of the supergraph: what a client of the gateway sees, without the
 * federation internals (`join__*`, `link__*`). The REST documents are typed against it
 * (`codegen.ts`) and validated against it (`documents.test.ts`).
 *
 * Nothing is served from it, so the features composition links `for: SECURITY`
 * (`@authenticated`, `@requiresScopes`, which the subgraphs enforce) need no support here:
 * feature support is not checked.
 */
export function supergraphApiSchema(sdl = readFileSync(SUPERGRAPH_PATH, "utf8")): GraphQLSchema {
  return Supergraph.build(sdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
}

/** {@link supergraphApiSchema} as SDL, the form `@graphql-codegen` reads. */
export const supergraphApiSdl = (sdl?: string): string => printSchema(supergraphApiSchema(sdl));
