import { suggestedStrategyName } from './templates';
import { InvestmentClass, LegData, OptionType, positionSign, StrategyType } from './types';
import { openLegs } from './valuation';

export interface Detection {
  type: StrategyType;
  legIds: string[];
  suggestedName: string;
  confidence: number;
}

/** A leg with the values the matching compares, computed once. */
interface Leg {
  d: LegData;
  role: string; // S/C/P (stock, call, put) + '+' long or '-' short
  k: number; // strike, 0 for stock
  e: number; // expiry as a day number, 0 for stock
  size: string; // normalised quantity: equal sizes give equal keys
}

const T = StrategyType;
// Exact textbook shapes score highest; looser ones (any strikes/expiries) less, as they may be coincidental.
const CONFIDENCE: Partial<Record<StrategyType, number>> = {
  [T.IRON_CONDOR]: 0.95,
  [T.IRON_BUTTERFLY]: 0.95,
  [T.COLLAR]: 0.95,
  [T.COVERED_CALL]: 0.95,
  [T.PROTECTIVE_PUT]: 0.95,
  [T.BUTTERFLY]: 0.9,
  [T.VERTICAL_SPREAD]: 0.9,
  [T.STRADDLE]: 0.9,
  [T.STRANGLE]: 0.85,
  [T.CALENDAR_SPREAD]: 0.8,
  [T.DIAGONAL_SPREAD]: 0.7,
};
const DAY_MS = 86_400_000;
const NONE: Leg[] = [];

function groupBy<V>(items: V[], key: (v: V) => string): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const v of items) {
    const k = key(v),
      g = groups.get(k);
    if (g) g.push(v);
    else groups.set(k, [v]);
  }
  return groups;
}

/**
 * Legs grouped by the attributes a pattern's legs must share, each group sorted by one number (strike or
 * expiry) for O(log n) lookups; matched legs are spliced out.
 */
class Index {
  private readonly groups: Map<string, Leg[]>;

  constructor(
    legs: Leg[],
    private readonly key: (l: Leg) => string,
    private readonly by: (l: Leg) => number,
  ) {
    this.groups = groupBy(legs, key);
    for (const g of this.groups.values()) g.sort((a, b) => by(a) - by(b)); // stable: ties keep id order
  }

  /** Position of the first leg whose number is ≥ x, or > x when `after`. */
  private search(g: Leg[], x: number, after = false): number {
    let lo = 0,
      hi = g.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1,
        v = this.by(g[mid]);
      if (v < x || (after && v === x)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private group(key: string): Leg[] {
    return this.groups.get(key) ?? NONE;
  }
  first(key: string): Leg | undefined {
    return this.group(key)[0];
  }
  above(key: string, x: number): Leg | undefined {
    const g = this.group(key);
    return g[this.search(g, x, true)];
  }
  below(key: string, x: number): Leg | undefined {
    const g = this.group(key);
    return g[this.search(g, x) - 1];
  }
  at(key: string, x: number): Leg | undefined {
    const g = this.group(key),
      l = g[this.search(g, x)];
    return l && this.by(l) === x ? l : undefined;
  }
  /** The closest leg whose number differs from x, the lower one on a tie. */
  nearest(key: string, x: number): Leg | undefined {
    const lo = this.below(key, x),
      hi = this.above(key, x);
    return !lo || (hi && this.by(hi) - x < x - this.by(lo)) ? hi : lo;
  }
  take(l: Leg): void {
    const g = this.group(this.key(l)),
      i = g.indexOf(l, this.search(g, this.by(l)));
    if (i >= 0) g.splice(i, 1);
  }
}

/** One underlying's legs, indexed the ways patterns look partners up; a matched leg leaves every index. */
class Book {
  private readonly used = new Set<Leg>();
  private readonly indexes: Index[] = [];
  private expiryIndex?: Index;
  private sizeIndex?: Index;
  readonly found: [StrategyType, Leg[]][] = [];
  readonly byStrike: Index;

  constructor(private readonly legs: Leg[]) {
    this.byStrike = this.index(
      (l) => `${l.role}|${l.e}|${l.size}`,
      (l) => l.k,
    );
  }

  // Only calendars and diagonals need these; built late, they index just the leftovers.
  get byExpiry(): Index {
    return (this.expiryIndex ??= this.index(
      (l) => `${l.role}|${l.k}|${l.size}`,
      (l) => l.e,
    ));
  }
  get bySize(): Index {
    return (this.sizeIndex ??= this.index(
      (l) => `${l.role}|${l.size}`,
      (l) => l.e,
    ));
  }

  private index(key: (l: Leg) => string, by: (l: Leg) => number): Index {
    const idx = new Index(
      this.legs.filter((l) => !this.used.has(l)),
      key,
      by,
    );
    this.indexes.push(idx);
    return idx;
  }

  /** Unmatched legs of the given roles, in id order. */
  free(...roles: string[]): Leg[] {
    return this.legs.filter((l) => roles.includes(l.role) && !this.used.has(l));
  }

  match(type: StrategyType, legs: Leg[]): void {
    this.found.push([type, legs]);
    for (const l of legs) {
      this.used.add(l);
      for (const idx of this.indexes) idx.take(l);
    }
  }
}

/** The stock an option leg needs to be covered: 100 shares per standard contract. */
const shares = (o: Leg) => o.d.quantity.times(o.d.multiplier).toString();

/**
 * Largest patterns first, so an iron butterfly is not split into a straddle and a strangle. In every phase
 * the iterated roles differ from the looked-up ones, so a leg is never both the driver and a partner.
 */
const PHASES: ((b: Book) => void)[] = [
  // Iron butterfly, else iron condor: long put K1 < short put K2 ≤ short call K3 < long call K4.
  (b) => {
    for (const sp of b.free('P-')) {
      const at = `${sp.e}|${sp.size}`,
        calls = `C-|${at}`;
      const shorts = [
        [T.IRON_BUTTERFLY, b.byStrike.at(calls, sp.k)],
        [T.IRON_CONDOR, b.byStrike.above(calls, sp.k)],
      ] as const;
      for (const [type, sc] of shorts) {
        const lp = sc && b.byStrike.below(`P+|${at}`, sp.k),
          lc = sc && b.byStrike.above(`C+|${at}`, sc.k);
        if (lp && lc) {
          b.match(type, [lp, sp, sc, lc]);
          break;
        }
      }
    }
  },
  // Collar: long stock of 100 shares per contract, long put K1, short call K2 > K1, one expiry.
  (b) => {
    for (const lp of b.free('P+')) {
      const stock = b.byStrike.first(`S+|0|${shares(lp)}`),
        sc = b.byStrike.above(`C-|${lp.e}|${lp.size}`, lp.k);
      if (stock && sc) b.match(T.COLLAR, [stock, lp, sc]);
    }
  },
  // Butterfly: long K1, short twice the size at K2, long K3, all calls or all puts.
  (b) => {
    for (const body of b.free('C-', 'P-')) {
      const wings = `${body.role[0]}+|${body.e}|${body.d.quantity.div(2).toString()}`;
      const lo = b.byStrike.below(wings, body.k),
        hi = b.byStrike.above(wings, body.k);
      if (lo && hi) b.match(T.BUTTERFLY, [lo, body, hi]);
    }
  },
  // Covered call / protective put: the stock must hold exactly 100 shares per contract (legs are not split).
  (b) => {
    for (const o of b.free('C-', 'P+')) {
      const stock = b.byStrike.first(`S+|0|${shares(o)}`);
      if (stock) b.match(o.role === 'C-' ? T.COVERED_CALL : T.PROTECTIVE_PUT, [stock, o]);
    }
  },
  // Vertical: same type and expiry, the nearest other strike on the opposite side.
  (b) => {
    for (const long of b.free('C+', 'P+')) {
      const short = b.byStrike.nearest(`${long.role[0]}-|${long.e}|${long.size}`, long.k);
      if (short) b.match(T.VERTICAL_SPREAD, [long, short]);
    }
  },
  // Straddle: call and put at one strike and expiry, same direction.
  (b) => {
    for (const call of b.free('C+', 'C-')) {
      const put = b.byStrike.at(`P${call.role[1]}|${call.e}|${call.size}`, call.k);
      if (put) b.match(T.STRADDLE, [call, put]);
    }
  },
  // Strangle: put below call, one expiry, same direction.
  (b) => {
    for (const put of b.free('P+', 'P-')) {
      const call = b.byStrike.above(`C${put.role[1]}|${put.e}|${put.size}`, put.k);
      if (call) b.match(T.STRANGLE, [put, call]);
    }
  },
  // Calendar: same type and strike, the nearest other expiry on the opposite side.
  (b) => {
    for (const long of b.free('C+', 'P+')) {
      const short = b.byExpiry.nearest(`${long.role[0]}-|${long.k}|${long.size}`, long.e);
      if (short) b.match(T.CALENDAR_SPREAD, [long, short]);
    }
  },
  // Diagonal: same type, strike and expiry both differ. Calendars went first, so a short at another
  // expiry can no longer share this long's strike: the nearest other expiry is the partner.
  (b) => {
    for (const long of b.free('C+', 'P+')) {
      const short = b.bySize.nearest(`${long.role[0]}-|${long.size}`, long.e);
      if (short && short.k !== long.k) b.match(T.DIAGONAL_SPREAD, [long, short]);
    }
  },
];

function prepare(d: LegData): Leg | null {
  if (d.investmentClass === InvestmentClass.PRIVATE) return null;
  const side = positionSign(d.positionType) > 0 ? '+' : '-',
    size = d.quantity.toString();
  if (!d.optionType) return { d, role: `S${side}`, k: 0, e: 0, size };
  if (!d.strikePrice || !d.expirationDate) return null; // an option without its terms fits no pattern
  const role = `${d.optionType === OptionType.CALL ? 'C' : 'P'}${side}`;
  return { d, role, k: d.strikePrice.toNumber(), e: Date.parse(d.expirationDate) / DAY_MS, size };
}

/**
 * Groups of a portfolio's STANDALONE legs matching a known pattern; each leg is in at most one group.
 * Output is ordered by underlying, then larger patterns first; ties resolve by leg id, so it is deterministic.
 */
export function detectStrategies(legs: LegData[]): Detection[] {
  const sorted = [...legs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const groups = groupBy(
    sorted.map(prepare).filter((l): l is Leg => l !== null),
    (l) => l.d.underlyingSymbol,
  );
  return [...groups.keys()].sort().flatMap((underlying) => {
    const book = new Book(groups.get(underlying)!);
    for (const phase of PHASES) phase(book);
    return book.found.map(([type, matched]) => {
      const expiry =
        matched
          .map((l) => l.d.expirationDate)
          .filter((e): e is string => !!e)
          .sort()[0] ?? null;
      return {
        type,
        legIds: matched.map((l) => l.d.id),
        suggestedName: suggestedStrategyName(type, underlying, expiry),
        confidence: CONFIDENCE[type]!,
      };
    });
  });
}

/**
 * The type a set of legs gets when the user gives none (combineLegs, previewStrategy): one leg is STANDALONE, legs
 * forming exactly one known pattern get it (CLOSED legs do not count) with the pattern's confidence, anything else
 * is CUSTOM (confidence 0).
 */
export function detectType(all: LegData[]): { type: StrategyType; confidence: number } {
  const legs = openLegs(all);
  if (legs.length === 1) return { type: StrategyType.STANDALONE, confidence: 1 };
  const found = detectStrategies(legs);
  return found.length === 1 && found[0].legIds.length === legs.length
    ? { type: found[0].type, confidence: found[0].confidence }
    : { type: StrategyType.CUSTOM, confidence: 0 };
}
