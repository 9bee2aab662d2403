import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";

/**
 * How many root fields of `operation` `matches` accepts (all by default), with fragments
 * resolved: fields inside inline fragments and named fragments, nested ones too, count as root
 * fields; a fragment spread twice counts twice, an aliased field once per alias. Wrapping
 * `login` in `... on Mutation { }` must not hide it from a limit.
 *
 * Each named fragment is counted once and its total reused, so fragments spread in one
 * another many times over cannot make this exponential (the total may be huge, never the
 * work). A spread of a fragment being counted (a cycle, which validation refuses anyway)
 * counts nothing.
 */
export function countRootFields(document: DocumentNode, operation: OperationDefinitionNode, matches: (field: FieldNode) => boolean = () => true): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const totals = new Map<string, number>();
  const counting = new Set<string>();

  const fragmentTotal = (name: string): number => {
    const known = totals.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || counting.has(name)) return 0;
    counting.add(name);
    const total = count(fragment.selectionSet);
    counting.delete(name);
    totals.set(name, total);
    return total;
  };

  const count = (selectionSet: SelectionSetNode): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) total += matches(selection) ? 1 : 0;
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += count(selection.selectionSet);
      else total += fragmentTotal(selection.name.value);
    }
    return total;
  };

  return count(operation.selectionSet);
}
