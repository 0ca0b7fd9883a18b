import { GraphQLFloat, GraphQLObjectType, GraphQLSchema, GraphQLString, parse } from 'graphql';
import { DateScalar, DecimalScalar } from './common/scalars';
import { jitSafe } from './executor';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      f: {
        type: GraphQLString,
        args: { d: { type: DecimalScalar }, day: { type: DateScalar }, x: { type: GraphQLFloat } },
      },
    },
  }),
});

describe('jitSafe', () => {
  it('sends operations with an object-valued scalar literal to graphql-js', () => {
    expect(jitSafe(schema, parse('{ f(d: 12.5) }'))).toBe(false);
    expect(jitSafe(schema, parse('{ f(d: "12.5") }'))).toBe(false);
    expect(jitSafe(schema, parse('query { ...F } fragment F on Query { f(d: 1) }'))).toBe(false);
    expect(jitSafe(schema, parse('query($d: Decimal = 3) { f(d: $d) }'))).toBe(false);
  });

  it('compiles operations whose literals stay plain values, and those that pass values as variables', () => {
    expect(jitSafe(schema, parse('{ f(day: "2026-11-20", x: 1.5) }'))).toBe(true);
    expect(jitSafe(schema, parse('query($d: Decimal) { f(d: $d) }'))).toBe(true);
    expect(jitSafe(schema, parse('query($day: Date = "2026-11-20", $x: Float = 2) { f(day: $day, x: $x) }'))).toBe(
      true,
    );
  });
});
