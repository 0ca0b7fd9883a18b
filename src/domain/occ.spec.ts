import Decimal from 'decimal.js';
import { DomainError } from './errors';
import { classifySymbol, formatExpiry, inferPositionType, parseOccSymbol, standaloneName } from './occ';
import { InvestmentClass, OptionType, PositionType } from './types';

const fieldOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e.field;
    throw e;
  }
  throw new Error('expected a DomainError');
};

describe('parseOccSymbol', () => {
  it('parses the compact form', () => {
    const p = parseOccSymbol('AAPL240119C00150000')!;
    expect(p).toMatchObject({
      root: 'AAPL',
      expiration: '2024-01-19',
      optionType: OptionType.CALL,
      symbol: 'AAPL240119C00150000',
    });
    expect(p.strike.toString()).toBe('150');
  });

  it('parses the padded form, trimming and upper-casing, and normalises to compact', () => {
    expect(parseOccSymbol('  aapl  240119p00150000 ')).toMatchObject({
      root: 'AAPL',
      optionType: OptionType.PUT,
      symbol: 'AAPL240119P00150000',
    });
    expect(parseOccSymbol('F     251219C00012500')).toMatchObject({ root: 'F', symbol: 'F251219C00012500' });
  });

  it('accepts roots of up to 6 letters and digits', () => {
    expect(parseOccSymbol('BRKB1240119C00350000')?.root).toBe('BRKB1');
    expect(parseOccSymbol('SPXW251219P04200000')?.root).toBe('SPXW');
    expect(parseOccSymbol('ABC123251219C00010000')).toMatchObject({ root: 'ABC123', expiration: '2025-12-19' });
  });

  it('reads fractional strikes', () => {
    expect(parseOccSymbol('F251219C00012500')?.strike.toString()).toBe('12.5');
    expect(parseOccSymbol('X251219P00000125')?.strike.toString()).toBe('0.125');
  });

  it.each([
    'AAPL',
    'TWO_SIGMA_FUND',
    '',
    'AAPL240119C0015000', // 7-digit strike
    'AAPL240119C001500000', // 9-digit strike
    'AAPL24011C00150000', // 5-digit date
    'ABCDEFG240119C00150000', // 7-char root
    'AAPL 240119C00150000', // padding not to 6
    'AAPL240119C0015A000', // letter in the strike
    'AAPL240119X00150000', // bad type letter
  ])('returns null for %p', (s) => expect(parseOccSymbol(s)).toBeNull());

  it.each([
    'AAPL240230C00150000',
    'AAPL230229C00150000',
    'AAPL241301C00150000',
    'AAPL240100C00150000',
    'AAPL240119C00000000',
  ])('rejects the impossible %p on field symbol', (s) => expect(fieldOf(() => parseOccSymbol(s))).toBe('symbol'));

  it('accepts Feb 29 of a leap year', () =>
    expect(parseOccSymbol('AAPL240229C00150000')?.expiration).toBe('2024-02-29'));
});

describe('classifySymbol', () => {
  it('classifies options', () => {
    const c = classifySymbol('spy   251219p00420000');
    expect(c).toMatchObject({
      symbol: 'SPY251219P00420000',
      underlyingSymbol: 'SPY',
      investmentClass: InvestmentClass.OPTIONS,
      optionType: OptionType.PUT,
      expirationDate: '2025-12-19',
      multiplier: 100,
    });
    expect(c.strikePrice?.toString()).toBe('420');
    expect(classifySymbol('SPY251219P00420000', InvestmentClass.OPTIONS).investmentClass).toBe(InvestmentClass.OPTIONS);
  });

  it.each(['AAPL', 'brk.b', 'RDS-A', ' msft ', 'ABCDEFGHIJ'])('classifies %p as a PUBLIC ticker', (s) => {
    const c = classifySymbol(s);
    expect(c).toMatchObject({
      investmentClass: InvestmentClass.PUBLIC,
      multiplier: 1,
      optionType: null,
      strikePrice: null,
      expirationDate: null,
    });
    expect(c.underlyingSymbol).toBe(c.symbol);
    expect(c.symbol).toBe(s.trim().toUpperCase());
  });

  it.each(['TWO_SIGMA_FUND', 'RE_COMMERCIAL_PROPERTY', 'ABCDEFGHIJK', 'Art collection'])(
    'classifies %p as PRIVATE',
    (s) => {
      expect(classifySymbol(s)).toMatchObject({
        investmentClass: InvestmentClass.PRIVATE,
        multiplier: 1,
        underlyingSymbol: s.toUpperCase(),
      });
    },
  );

  it('honours an explicit class for non-options', () => {
    expect(classifySymbol('AAPL', InvestmentClass.PRIVATE).investmentClass).toBe(InvestmentClass.PRIVATE);
    expect(classifySymbol('VTSAX', InvestmentClass.PUBLIC).investmentClass).toBe(InvestmentClass.PUBLIC);
  });

  it('rejects bad symbols and contradicting classes', () => {
    expect(fieldOf(() => classifySymbol('   '))).toBe('symbol');
    expect(fieldOf(() => classifySymbol('X'.repeat(65)))).toBe('symbol');
    expect(classifySymbol('X'.repeat(64)).investmentClass).toBe(InvestmentClass.PRIVATE);
    expect(fieldOf(() => classifySymbol('AAPL240119C00150000', InvestmentClass.PUBLIC))).toBe('investmentClass');
    expect(fieldOf(() => classifySymbol('AAPL240119C00150000', InvestmentClass.PRIVATE))).toBe('investmentClass');
    expect(fieldOf(() => classifySymbol('AAPL', InvestmentClass.OPTIONS))).toBe('symbol');
    expect(fieldOf(() => classifySymbol('AAPL240231C00150000'))).toBe('symbol');
  });

  it('rejects near-miss OCC symbols instead of calling them private', () => {
    expect(fieldOf(() => classifySymbol('AAPL240119C0015000'))).toBe('symbol');
    expect(fieldOf(() => classifySymbol('AAPL 240119C00150000'))).toBe('symbol');
  });
});

describe('inferPositionType', () => {
  const d = (n: number) => new Decimal(n);
  it.each([
    [null, 100, PositionType.LONG],
    [null, -100, PositionType.SHORT],
    [OptionType.CALL, 1, PositionType.LC],
    [OptionType.CALL, -1, PositionType.SC],
    [OptionType.PUT, 2, PositionType.LP],
    [OptionType.PUT, -2, PositionType.SP],
  ])('infers %p with %p as %p', (t, q, expected) => expect(inferPositionType(t, d(q))).toBe(expected));

  it('accepts a fitting explicit type, short types with a positive size included', () => {
    expect(inferPositionType(null, d(100), PositionType.SHORT)).toBe(PositionType.SHORT);
    expect(inferPositionType(null, d(-100), PositionType.SHORT)).toBe(PositionType.SHORT);
    expect(inferPositionType(OptionType.CALL, d(1), PositionType.SC)).toBe(PositionType.SC);
    expect(inferPositionType(OptionType.PUT, d(1), null)).toBe(PositionType.LP);
  });

  it('rejects an explicit type that does not fit', () => {
    expect(fieldOf(() => inferPositionType(null, d(1), PositionType.LC))).toBe('positionType');
    expect(fieldOf(() => inferPositionType(OptionType.CALL, d(1), PositionType.LONG))).toBe('positionType');
    expect(fieldOf(() => inferPositionType(OptionType.CALL, d(1), PositionType.LP))).toBe('positionType');
    expect(fieldOf(() => inferPositionType(null, d(-5), PositionType.LONG))).toBe('positionType');
    expect(fieldOf(() => inferPositionType(OptionType.PUT, d(-1), PositionType.LP))).toBe('positionType');
  });

  it('rejects a zero quantity', () => {
    expect(fieldOf(() => inferPositionType(null, d(0)))).toBe('quantity');
    expect(fieldOf(() => inferPositionType(OptionType.CALL, d(0), PositionType.LC))).toBe('quantity');
  });
});

describe('names', () => {
  const stock = { underlyingSymbol: 'AAPL', symbol: 'AAPL', optionType: null, strikePrice: null, expirationDate: null };
  it('formats expiries', () => {
    expect(formatExpiry('2025-12-19')).toBe("Dec19'25");
    expect(formatExpiry('2024-01-05')).toBe("Jan05'24");
    expect(fieldOf(() => formatExpiry('2024-13-05'))).toBe('expirationDate');
  });

  it('names standalone legs', () => {
    expect(standaloneName({ ...stock, positionType: PositionType.LONG })).toBe('Long AAPL');
    expect(
      standaloneName({ ...stock, underlyingSymbol: 'MSFT', symbol: 'MSFT', positionType: PositionType.SHORT }),
    ).toBe('Short MSFT');
    expect(standaloneName({ ...classifySymbol('AAPL240119C00150000'), positionType: PositionType.LC })).toBe(
      "Long Call AAPL 150 Jan19'24",
    );
    expect(standaloneName({ ...classifySymbol('SPY251219P00420000'), positionType: PositionType.SP })).toBe(
      "Short Put SPY 420 Dec19'25",
    );
    expect(standaloneName({ ...classifySymbol('F251219C00012500'), positionType: PositionType.SC })).toBe(
      "Short Call F 12.5 Dec19'25",
    );
    expect(standaloneName({ ...stock, strikePrice: null, positionType: PositionType.LP, optionType: null })).toBe(
      'Long AAPL',
    );
  });
});
