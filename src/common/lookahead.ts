import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the current field's selection reaches `path` (field names, through inline fragments and named fragments),
 * for resolvers that fetch a relation ahead when the query asks for it. @include/@skip are not evaluated: a field
 * under a directive counts as selected, which at worst fetches something unused.
 */
export function selects(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): boolean {
  const reaches = (set: SelectionSetNode | undefined, depth: number): boolean => {
    if (!set) return false;
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (s.name.value === path[depth] && (depth === path.length - 1 || reaches(s.selectionSet, depth + 1)))
          return true;
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        if (reaches(s.selectionSet, depth)) return true;
      } else if (reaches(info.fragments[s.name.value]?.selectionSet, depth)) {
        return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((n) => reaches(n.selectionSet, 0));
}
