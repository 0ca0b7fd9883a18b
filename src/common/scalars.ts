import Decimal from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** Integer digits of the money columns, numeric(24,8): every stored amount is below 10^16 in magnitude. */
export const DECIMAL_INTEGER_DIGITS = 16;
/** The largest magnitude a money column holds is just below this. */
export const DECIMAL_LIMIT = new Decimal(10).pow(DECIMAL_INTEGER_DIGITS);
/** Plain decimal notation, optionally with an exponent; decimal.js would also take hex, octal, binary and Infinity. */
const DECIMAL_INPUT = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** A Decimal input: plain decimal text or a finite number, that fits numeric(24,8) (16 integer digits, 8 decimals). */
export function parseDecimal(value: unknown): Decimal {
  const text =
    typeof value === 'number'
      ? Number.isFinite(value)
        ? String(value)
        : ''
      : typeof value === 'string'
        ? value.trim()
        : '';
  // Numbers arrive as JS floats: accept them in plain or exponent notation, then require a sane magnitude.
  if (text.length > 400 || !DECIMAL_INPUT.test(text)) {
    throw invalid(`Decimal must be a number or a numeric string, got ${String(JSON.stringify(value)).slice(0, 100)}`);
  }
  const d = new Decimal(text);
  // Compared, never expanded: "1e999999999" must not become a billion-character string.
  if (!d.isFinite() || d.abs().gte(DECIMAL_LIMIT) || d.decimalPlaces() > 8) {
    throw invalid(
      `Decimal out of range (at most ${DECIMAL_INTEGER_DIGITS} integer digits, 8 decimals): ` +
        String(JSON.stringify(value)).slice(0, 100),
    );
  }
  return d;
}

/**
 * The text of each Decimal serialized so far: a Decimal is immutable, and the figures of cached leg views and strategy
 * sums are the same objects from one read to the next (until their prices change), so each is written out once.
 */
const decimalText = new WeakMap<Decimal, string>();

/** Exact decimal, serialized as a JSON string ("150.25"); inputs accept string or number. */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'Exact decimal, serialized as a JSON string ("150.25"); inputs accept string or number',
  serialize: (v) => {
    if (!(v instanceof Decimal)) return new Decimal(v as string).toFixed();
    let text = decimalText.get(v);
    if (text === undefined) decimalText.set(v, (text = v.toFixed()));
    return text;
  },
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
    if (d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3])
      return value as string;
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
  if (Number.isNaN(d.getTime()))
    throw invalid(`DateTime must be an ISO-8601 timestamp with zone, got ${JSON.stringify(value)}`);
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
