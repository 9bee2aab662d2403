import {
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  type ConstDirectiveNode,
  type GraphQLFieldResolver,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLField,
} from "graphql";
import { apiError } from "../errors.js";
import type { Principal } from "./tokens.js";

/** What a field needs: a signed-in caller, and one of these scope sets (each complete). */
export interface Requirement {
  authenticated: boolean;
  /** Alternatives (OR) of scope sets (AND), as in `@requiresScopes(scopes: [["a", "b"], ["c"]])`. */
  scopes: string[][];
}

/** Whatever a context must offer for the checks: the caller, when a valid token came. */
export interface AuthorizationContext {
  auth: Principal | null;
}

function directivesOf(node: { astNode?: unknown; extensionASTNodes?: readonly unknown[] } | undefined) {
  const nodes = [node?.astNode, ...(node?.extensionASTNodes ?? [])] as Array<{ directives?: readonly ConstDirectiveNode[] } | null | undefined>;
  return nodes.flatMap((n) => n?.directives ?? []);
}

function scopesArgument(directive: ConstDirectiveNode): string[][] {
  const arg = directive.arguments?.find((a) => a.name.value === "scopes");
  if (arg?.value.kind !== "ListValue") return [];
  return arg.value.values.map((inner) => (inner.kind === "ListValue" ? inner.values.flatMap((v) => (v.kind === "StringValue" ? [v.value] : [])) : []));
}

/**
 * The requirement of a field: directives on the field itself, on its parent type and on the
 * type it returns, combined (every `@requiresScopes` found must be met).
 */
export function requirementOf(field: GraphQLField<unknown, unknown>, parent: GraphQLNamedType): Requirement[] {
  const sources = [directivesOf(field), directivesOf(parent), directivesOf(getNamedType(field.type))];
  const found = sources.flat();
  const requirements: Requirement[] = [];
  if (found.some((d) => d.name.value === "authenticated")) requirements.push({ authenticated: true, scopes: [] });
  for (const d of found.filter((d) => d.name.value === "requiresScopes")) {
    requirements.push({ authenticated: true, scopes: scopesArgument(d) });
  }
  return requirements;
}

/** Throws UNAUTHENTICATED or FORBIDDEN unless `auth` meets every requirement. */
export function assertAllowed(auth: Principal | null, requirements: Requirement[], fieldPath: string): void {
  if (requirements.length === 0) return;
  if (!auth) throw apiError("UNAUTHENTICATED", `Sign in to read ${fieldPath}`);
  for (const { scopes } of requirements) {
    if (scopes.length > 0 && !scopes.some((set) => set.every((s) => auth.scopes.includes(s)))) {
      const needed = scopes.map((set) => set.join(" and ")).join(" or ");
      throw apiError("FORBIDDEN", `${fieldPath} requires scope ${needed}`, { requiredScopes: scopes });
    }
  }
}

/**
 * Enforces the `@authenticated` and `@requiresScopes` directives of a subgraph schema by
 * wrapping the resolver of every field they cover. The JS gateway does not enforce them, so
 * each subgraph does, from its own SDL: authorization is declared once, next to the types.
 */
export function enforceAuthorization<TSchema extends GraphQLSchema>(schema: TSchema): TSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const requirements = requirementOf(field, type);
      if (requirements.length === 0) continue;
      const resolve: GraphQLFieldResolver<unknown, AuthorizationContext> = field.resolve ?? defaultFieldResolver;
      const path = `${type.name}.${field.name}`;
      field.resolve = (source, args, context, info) => {
        assertAllowed(context.auth, requirements, path);
        return resolve(source, args, context, info);
      };
      const subscribe = field.subscribe;
      if (subscribe) {
        field.subscribe = (source, args, context: AuthorizationContext, info) => {
          assertAllowed(context.auth, requirements, path);
          return subscribe(source, args, context, info);
        };
      }
    }
  }
  return schema;
}
