import { DomainError } from './errors';
import { isNyseHoliday, isTradingDay, previousTradingDay } from './trading-calendar';

const daysOf = (year: number) =>
  Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(year, 0, 1 + i)).toISOString().slice(0, 10)).filter((d) =>
    d.startsWith(`${year}`),
  );

describe('NYSE holidays', () => {
  it.each([
    [
      2021,
      [
        '2021-01-01',
        '2021-01-18',
        '2021-02-15',
        '2021-04-02',
        '2021-05-31',
        '2021-07-05',
        '2021-09-06',
        '2021-11-25',
        '2021-12-24',
      ],
    ],
    [
      2022,
      [
        '2022-01-17',
        '2022-02-21',
        '2022-04-15',
        '2022-05-30',
        '2022-06-20',
        '2022-07-04',
        '2022-09-05',
        '2022-11-24',
        '2022-12-26',
      ],
    ],
    [
      2024,
      [
        '2024-01-01',
        '2024-01-15',
        '2024-02-19',
        '2024-03-29',
        '2024-05-27',
        '2024-06-19',
        '2024-07-04',
        '2024-09-02',
        '2024-11-28',
        '2024-12-25',
      ],
    ],
    [
      2025,
      [
        '2025-01-01',
        '2025-01-20',
        '2025-02-17',
        '2025-04-18',
        '2025-05-26',
        '2025-06-19',
        '2025-07-04',
        '2025-09-01',
        '2025-11-27',
        '2025-12-25',
      ],
    ],
    [
      2026,
      [
        '2026-01-01',
        '2026-01-19',
        '2026-02-16',
        '2026-04-03',
        '2026-05-25',
        '2026-06-19',
        '2026-07-03',
        '2026-09-07',
        '2026-11-26',
        '2026-12-25',
      ],
    ],
    [
      2027,
      [
        '2027-01-01',
        '2027-01-18',
        '2027-02-15',
        '2027-03-26',
        '2027-05-31',
        '2027-06-18',
        '2027-07-05',
        '2027-09-06',
        '2027-11-25',
        '2027-12-24',
      ],
    ],
  ])('are exactly the rule-based days of %i', (year, expected) => {
    expect(daysOf(year).filter(isNyseHoliday)).toEqual(expected);
  });

  it('does not move a Saturday New Year to the Friday before', () => {
    expect(isNyseHoliday('2021-12-31')).toBe(false);
    expect(isNyseHoliday('2027-12-31')).toBe(false);
    expect(isNyseHoliday('2023-01-02')).toBe(true); // Sunday New Year observed Monday
  });

  it('rejects malformed dates', () => {
    expect(() => isNyseHoliday('2026-02-30')).toThrow(DomainError);
    expect(() => isTradingDay('26-01-02')).toThrow(DomainError);
  });
});

describe('trading days', () => {
  it('are weekdays that are not holidays', () => {
    expect(isTradingDay('2026-04-02')).toBe(true);
    expect(isTradingDay('2026-04-03')).toBe(false); // Good Friday
    expect(isTradingDay('2026-07-04')).toBe(false); // Saturday
    expect(isTradingDay('2026-07-05')).toBe(false); // Sunday
    expect(isTradingDay('2026-07-06')).toBe(true);
  });

  it.each([
    ['2026-04-06', '2026-04-02'], // Monday after Good Friday
    ['2026-07-05', '2026-07-02'], // Sunday, with the observed Independence Day on Friday
    ['2024-01-02', '2023-12-29'], // across the year end and New Year's Day
    ['2027-01-04', '2026-12-31'],
    ['2025-11-28', '2025-11-26'], // Friday after Thanksgiving
    ['2025-06-20', '2025-06-18'],
    ['2025-03-12', '2025-03-11'],
  ])('the trading day before %s is %s', (date, expected) => expect(previousTradingDay(date)).toBe(expected));
});

describe('newYorkDate / previousCloseDay', () => {
  const { newYorkDate, previousCloseDay } = jest.requireActual(
    './trading-calendar',
  ) as typeof import('./trading-calendar');
  it('dates a moment in New York (DST by rule)', () => {
    expect(newYorkDate(new Date('2026-01-06T04:59:00Z'))).toBe('2026-01-05');
    expect(newYorkDate(new Date('2026-01-06T05:00:00Z'))).toBe('2026-01-06');
    expect(newYorkDate(new Date('2026-07-06T03:59:00Z'))).toBe('2026-07-05');
    expect(newYorkDate(new Date('2026-07-06T04:00:00Z'))).toBe('2026-07-06');
  });
  it('compares with the close of the trading day before the session', () => {
    expect(previousCloseDay(new Date('2026-01-07T15:00:00Z'))).toBe('2026-01-06'); // Wednesday
    expect(previousCloseDay(new Date('2026-01-05T15:00:00Z'))).toBe('2026-01-02'); // Monday
    expect(previousCloseDay(new Date('2026-01-10T15:00:00Z'))).toBe('2026-01-08'); // Saturday: the session is Friday
    expect(previousCloseDay(new Date('2026-01-20T15:00:00Z'))).toBe('2026-01-16'); // Tuesday after MLK Day
  });
});
