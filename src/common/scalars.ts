import Decimal from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

const DECIMAL_TEXT = /^-?\d{1,18}(\.\d{1,8})?$/;

export function parseDecimal(value: unknown): Decimal {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : typeof value === 'string' ? value.trim() : '';
  // Numbers arrive as JS floats: accept them in plain or exponent notation, then require a sane magnitude.
  let d: Decimal;
  try {
    d = new Decimal(text);
  } catch {
    throw invalid(`Decimal must be a number or a numeric string, got ${JSON.stringify(value)}`);
  }
  if (!d.isFinite() || !DECIMAL_TEXT.test(d.toFixed())) {
    throw invalid(`Decimal out of range or with more than 8 decimal places: ${JSON.stringify(value)}`);
  }
  return d;
}

/** Exact decimal, serialized as a JSON string ("150.25"); inputs accept string or number. */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'Exact decimal, serialized as a JSON string ("150.25"); inputs accept string or number',
  serialize: (v) => (v instanceof Decimal ? v : new Decimal(v as string)).toFixed(),
  parseValue: parseDecimal,
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw invalid('Decimal must be a number or a numeric string');
  },
});

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDateText(value: unknown): string {
  const m = typeof value === 'string' ? DATE_TEXT.exec(value) : null;
  if (m) {
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    if (d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3]) return value as string;
  }
  throw invalid(`Date must be a real calendar date "YYYY-MM-DD", got ${JSON.stringify(value)}`);
}

/** Calendar date "YYYY-MM-DD", kept as text end to end (no time zone shifts). */
export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'Calendar date "YYYY-MM-DD"',
  serialize: (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v)),
  parseValue: parseDateText,
  parseLiteral: (ast) => parseDateText(ast.kind === Kind.STRING ? ast.value : undefined),
});

function parseDateTime(value: unknown): Date {
  const d = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw invalid(`DateTime must be an ISO-8601 timestamp with zone, got ${JSON.stringify(value)}`);
  return d;
}

/** ISO-8601 timestamp with zone, e.g. "2026-11-21T20:15:00.000Z". */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'ISO-8601 timestamp with zone, e.g. "2026-11-21T20:15:00.000Z"',
  serialize: (v) => (v instanceof Date ? v : new Date(v as string)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
