import { DomainError } from './errors';

const DAY_MS = 86_400_000;
const SUN = 0,
  MON = 1,
  THU = 4,
  SAT = 6;

const utc = (y: number, month0: number, day: number) => new Date(Date.UTC(y, month0, day));
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * DAY_MS);
const iso = (d: Date) => d.toISOString().slice(0, 10);

function parse(date: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const d = m && utc(+m[1], +m[2] - 1, +m[3]);
  // Date.UTC rolls Feb 30 into March, so a round trip rejects impossible days.
  if (!d || iso(d) !== date) throw new DomainError(`invalid date ${date}, expected YYYY-MM-DD`, 'date');
  return d;
}

/** The n-th given weekday of a month, or the last one when n is -1. */
function nthWeekday(y: number, month0: number, weekday: number, n: number): Date {
  if (n < 0) {
    const last = utc(y, month0 + 1, 0);
    return addDays(last, -((last.getUTCDay() - weekday + 7) % 7));
  }
  const first = utc(y, month0, 1);
  return addDays(first, ((weekday - first.getUTCDay() + 7) % 7) + 7 * (n - 1));
}

/** Easter Sunday of the Gregorian calendar (anonymous Gregorian computus). */
function easter(y: number): Date {
  const a = y % 19,
    b = Math.floor(y / 100),
    c = y % 100,
    d = Math.floor(b / 4),
    e = b % 4;
  const f = Math.floor((b + 8) / 25),
    g = Math.floor((b - f + 1) / 3),
    h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4),
    k = c % 4,
    l = (32 + 2 * e + 2 * i - h - k) % 7,
    m = Math.floor((a + 11 * h + 22 * l) / 451);
  const n = h + l - 7 * m + 114;
  return utc(y, Math.floor(n / 31) - 1, (n % 31) + 1);
}

/** A fixed-date holiday on a weekend is observed on the Friday before (Saturday) or the Monday after (Sunday). */
function observed(d: Date): Date {
  const wd = d.getUTCDay();
  return wd === SAT ? addDays(d, -1) : wd === SUN ? addDays(d, 1) : d;
}

/** NYSE full-day holidays of a year, by rule; one-off closures (e.g. national days of mourning) are not rules. */
function holidays(y: number): Set<string> {
  const newYear = utc(y, 0, 1);
  return new Set(
    [
      // NYSE does not close on Friday Dec 31 when New Year's Day is a Saturday.
      ...(newYear.getUTCDay() === SAT ? [] : [observed(newYear)]),
      nthWeekday(y, 0, MON, 3), // Martin Luther King Jr. Day
      nthWeekday(y, 1, MON, 3), // Washington's Birthday
      addDays(easter(y), -2), // Good Friday
      nthWeekday(y, 4, MON, -1), // Memorial Day
      ...(y >= 2022 ? [observed(utc(y, 5, 19))] : []), // Juneteenth, an NYSE holiday since 2022
      observed(utc(y, 6, 4)), // Independence Day
      nthWeekday(y, 8, MON, 1), // Labor Day
      nthWeekday(y, 10, THU, 4), // Thanksgiving
      observed(utc(y, 11, 25)), // Christmas
    ].map(iso),
  );
}

export function isNyseHoliday(date: string): boolean {
  return holidays(parse(date).getUTCFullYear()).has(date);
}

/** A weekday on which NYSE is open. */
export function isTradingDay(date: string): boolean {
  const wd = parse(date).getUTCDay();
  return wd !== SAT && wd !== SUN && !isNyseHoliday(date);
}

/** The last trading day strictly before `date`. */
export function previousTradingDay(date: string): string {
  let d = parse(date);
  do d = addDays(d, -1);
  while (!isTradingDay(iso(d)));
  return iso(d);
}

const NEW_YORK = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const nyDates = new Map<number, string>();

/**
 * The calendar date in New York at `at` (the trading day a price belongs to). New York's offset is a whole number of
 * hours, so the date is cached per hour: a price tick costs a map lookup, not a time zone conversion.
 */
export function newYorkDate(at: Date): string {
  const hour = Math.floor(at.getTime() / 3_600_000);
  let d = nyDates.get(hour);
  if (d === undefined) {
    if (nyDates.size > 10_000) nyDates.clear();
    nyDates.set(hour, (d = NEW_YORK.format(at)));
  }
  return d;
}

/**
 * The trading day whose close `dayPnl` compares with: the session of `now` is today in New York when it is a trading
 * day, else the last one before; the previous close is that of the trading day before the session.
 */
export function previousCloseDay(now: Date): string {
  const today = newYorkDate(now);
  return previousTradingDay(isTradingDay(today) ? today : previousTradingDay(today));
}
