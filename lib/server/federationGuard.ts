import type { ApolloServerPlugin } from "@apollo/server";
import { getArgumentValues, Kind, type FieldNode, type GraphQLField, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";
import { httpError } from "../errors.js";
import type { RequestContext } from "./requestContext.js";

/** The fields `@apollo/subgraph` adds for the gateway: the SDL, and entities by representation. */
const FEDERATION_FIELDS = new Set(["_service", "_entities"]);

/**
 * The root fields an operation selects, through inline fragments and fragment spreads (nested
 * or repeated: a fragment spread twice yields its fields twice), aliases kept.
 */
export function rootFields(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): FieldNode[] {
  return selectionSet.selections.flatMap((selection): FieldNode[] => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, fragments);
    const fragment = fragments.get(selection.name.value);
    // Validation has run: every spread names a fragment, and fragments cannot cycle.
    return fragment ? rootFields(fragment.selectionSet, fragments) : [];
  });
}

/**
 * How many representations one `_entities` field asks for. Variables are not coerced yet: one
 * that is missing or of the wrong type counts as none, and execution then refuses it with
 * the usual variable error.
 */
function representationCount(entities: GraphQLField<unknown, unknown>, field: FieldNode, variables: Record<string, unknown>): number {
  try {
    const { representations } = getArgumentValues(entities, field, variables);
    return Array.isArray(representations) ? representations.length : 0;
  } catch {
    return 0;
  }
}

/**
 * Guards the subgraph-only fields `_service` and `_entities`, which only the gateway needs:
 * they answer only a call with a valid bearer token (the gateway forwards its caller's), so an
 * anonymous caller of a subgraph port can neither read the SDL nor probe which ids exist
 * (401 UNAUTHENTICATED); and one request resolves at most `maxRepresentations` entities in
 * all (400 BAD_USER_INPUT beyond), before any of them is resolved.
 */
export function federationGuardPlugin(maxRepresentations: number): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, contextValue, schema }) {
          if (operation?.operation !== "query") return;
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          const fields = rootFields(operation.selectionSet, fragments).filter((field) => FEDERATION_FIELDS.has(field.name.value));
          if (fields.length === 0) return;
          if (!contextValue.auth) {
            throw httpError("UNAUTHENTICATED", "Authentication required: _entities and _service answer only calls with a valid bearer token");
          }
          const entities = schema.getQueryType()?.getFields()._entities;
          if (!entities) return;
          let count = 0;
          for (const field of fields) {
            if (field.name.value === "_entities") count += representationCount(entities, field, request.variables ?? {});
          }
          if (count > maxRepresentations) {
            throw httpError("BAD_USER_INPUT", `At most ${maxRepresentations} representations per request, got ${count}`);
          }
        },
      };
    },
  };
}
