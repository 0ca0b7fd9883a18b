import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode, type FieldNode } from 'graphql';
import { selects } from './lookahead';

/** The info of the first root field of `query`, as a resolver of that field receives it. */
function infoOf(query: string) {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    doc.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((f) => [f.name.value, f]),
  );
  return { fieldNodes: [op.selectionSet.selections[0] as FieldNode], fragments };
}

describe('selects', () => {
  const path = ['edges', 'node', 'metrics'];
  it('finds a path through fields, inline fragments and named fragments', () => {
    expect(selects(infoOf('{ strategies { edges { node { metrics { stale } } } } }'), path)).toBe(true);
    expect(
      selects(infoOf('{ strategies { edges { ... on StrategyEdge { node { m: metrics { stale } } } } } }'), path),
    ).toBe(true);
    expect(
      selects(
        infoOf(
          '{ strategies { ...E } } fragment E on StrategyConnection { edges { node { ...N } } } ' +
            'fragment N on Strategy { metrics { stale } }',
        ),
        path,
      ),
    ).toBe(true);
  });
  it('is false when the path is not selected', () => {
    expect(selects(infoOf('{ strategies { edges { node { id legs { id } } } } }'), path)).toBe(false);
    expect(selects(infoOf('{ strategies { totalCount } }'), path)).toBe(false);
    expect(selects(infoOf('{ strategies { edges { metrics: cursor } } }'), path)).toBe(false);
  });
});
