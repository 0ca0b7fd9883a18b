import Decimal from 'decimal.js';
import type { ValueTransformer } from 'typeorm';

/** numeric ↔ Decimal, exact both ways (pg returns numeric as a string). */
export const decimalTransformer: ValueTransformer = {
  to: (v: Decimal | string | number | null | undefined) => (v == null ? v : new Decimal(v).toString()),
  from: (v: string | null) => (v == null ? null : new Decimal(v)),
};

/** A nullable numeric text as Decimal. */
export const toDecimal = (v: string | null): Decimal | null => (v == null ? null : new Decimal(v));

export const MONEY = { type: 'numeric', precision: 24, scale: 8, transformer: decimalTransformer } as const;
