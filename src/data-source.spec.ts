import fc from 'fast-check';
import parsePostgresDate from 'postgres-date';
import { parseTimestamptz } from './data-source';

describe('parseTimestamptz', () => {
  it('reads PostgreSQL timestamptz output exactly as postgres-date does', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.option(fc.stringMatching(/^\d{1,6}$/)),
        fc.integer({ min: -15, max: 15 }),
        fc.constantFrom(0, 30, 45),
        fc.boolean(),
        (y, mo, d, h, mi, s, frac, oh, om, withMinutes) => {
          const offset = `${oh < 0 ? '-' : '+'}${two(Math.abs(oh))}${withMinutes || om ? `:${two(om)}` : ''}`;
          const date = `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}`;
          const text = `${date} ${two(h)}:${two(mi)}:${two(s)}${frac ? `.${frac}` : ''}${offset}`;
          expect(parseTimestamptz(text).getTime()).toBe((parsePostgresDate(text) as Date).getTime());
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('hands what it does not parse itself to postgres-date', () => {
    expect(parseTimestamptz('0044-03-15 12:00:00+00 BC').getTime()).toBe(
      (parsePostgresDate('0044-03-15 12:00:00+00 BC') as Date).getTime(),
    );
    expect(parseTimestamptz('infinity')).toBe(Infinity);
    expect(parseTimestamptz('2026-11-21 22:23:46.5+05:30:15').getTime()).toBe(
      (parsePostgresDate('2026-11-21 22:23:46.5+05:30:15') as Date).getTime(),
    );
    expect(parseTimestamptz('2026-11-21 22:23:46.164123+00').toISOString()).toBe('2026-11-21T22:23:46.164Z');
    expect(parseTimestamptz('2026-03-01 00:30:00-05').toISOString()).toBe('2026-03-01T05:30:00.000Z');
  });
});
