import Decimal from 'decimal.js';
import { bsGreeks, bsPrice, yearsToExpiry } from './black-scholes';
import { InvestmentClass, LegData, LegStatus, MarketEnv, OptionType, PositionType, PriceSource } from './types';
import { openLegs, realizedPnl, signedUnits, sumValuations, valueLeg } from './valuation';

const d = (v: Decimal.Value) => new Decimal(v);
const now = new Date('2024-01-02T15:00:00Z');
const env = (prices: Record<string, Decimal.Value> = {}): MarketEnv => ({
  now,
  riskFreeRate: 0.04,
  defaultVolatility: 0.3,
  prices: new Map(Object.entries(prices).map(([k, v]) => [k, d(v)])),
});

const stock = (
  positionType: PositionType,
  quantity: Decimal.Value,
  entryPrice: Decimal.Value,
  symbol = 'AAPL',
): LegData => ({
  id: 's',
  symbol,
  positionType,
  quantity: d(quantity),
  multiplier: 1,
  investmentClass: InvestmentClass.PUBLIC,
  underlyingSymbol: symbol,
  optionType: null,
  strikePrice: null,
  expirationDate: null,
  impliedVolatility: null,
  entryPrice: d(entryPrice),
  entryDate: '2023-12-01',
});
const option = (
  positionType: PositionType,
  optionType: OptionType,
  strike: number,
  entryPrice: Decimal.Value,
  impliedVolatility: number | null = null,
): LegData => ({
  id: 'o',
  symbol: `AAPL240315${optionType === OptionType.CALL ? 'C' : 'P'}00${strike}000`,
  positionType,
  quantity: d(2),
  multiplier: 100,
  investmentClass: InvestmentClass.OPTIONS,
  underlyingSymbol: 'AAPL',
  optionType,
  strikePrice: d(strike),
  expirationDate: '2024-03-15',
  impliedVolatility,
  entryPrice: d(entryPrice),
  entryDate: '2023-12-01',
});
const privateLeg: LegData = {
  ...stock(PositionType.LONG, 3, '1000.10', 'TWO_SIGMA_FUND'),
  investmentClass: InvestmentClass.PRIVATE,
};

describe('valueLeg', () => {
  it('values a long stock at the market', () => {
    const v = valueLeg(stock(PositionType.LONG, 100, '150.25'), env({ AAPL: '160.5' }));
    expect(v.priceSource).toBe(PriceSource.MARKET);
    expect(v.costBasis.toString()).toBe('15025');
    expect(v.marketValue.toString()).toBe('16050');
    expect(v.unrealizedPnl.toString()).toBe('1025');
    expect(v.greeks).toEqual({ delta: 100, gamma: 0, theta: 0, vega: 0, rho: 0 });
  });

  it('values a short stock with negative amounts and delta', () => {
    const v = valueLeg(stock(PositionType.SHORT, 50, '200'), env({ AAPL: '190' }));
    expect(v.costBasis.toString()).toBe('-10000');
    expect(v.marketValue.toString()).toBe('-9500');
    expect(v.unrealizedPnl.toString()).toBe('500');
    expect(v.greeks?.delta).toBe(-50);
  });

  it('keeps decimals exact', () => {
    const v = valueLeg(stock(PositionType.LONG, '0.1', '0.2'), env({ AAPL: '0.3' }));
    expect(v.costBasis.toString()).toBe('0.02');
    expect(v.marketValue.toString()).toBe('0.03');
    expect(v.unrealizedPnl.toString()).toBe('0.01');
    const t = sumValuations([v, v, v]);
    expect(t.unrealizedPnl.toString()).toBe('0.03');
    expect(t.costBasis.plus(d('0.04')).toString()).toBe('0.1');
  });

  it('falls back to the entry price, stock greeks stay known', () => {
    const v = valueLeg(stock(PositionType.LONG, 10, '99.99'), env());
    expect(v.priceSource).toBe(PriceSource.ENTRY);
    expect(v.price.toString()).toBe('99.99');
    expect(v.unrealizedPnl.isZero()).toBe(true);
    expect(v.greeks?.delta).toBe(10);
  });

  it.each([
    [PositionType.LC, OptionType.CALL, 1],
    [PositionType.SC, OptionType.CALL, -1],
    [PositionType.LP, OptionType.PUT, 1],
    [PositionType.SP, OptionType.PUT, -1],
  ])('values a %s option at its market price with scaled greeks', (pt, ot, sign) => {
    const leg = option(pt, ot, 180, '4.50', 0.25);
    const v = valueLeg(leg, env({ AAPL: 185, [leg.symbol]: '6.05' }));
    expect(v.priceSource).toBe(PriceSource.MARKET);
    expect(v.costBasis.toString()).toBe(String(sign * 900));
    expect(v.marketValue.toString()).toBe(String(sign * 1210));
    expect(v.unrealizedPnl.toString()).toBe(String(sign * 310));
    const g = bsGreeks(ot, 185, 180, yearsToExpiry('2024-03-15', now), 0.04, 0.25);
    expect(v.greeks!.delta).toBeCloseTo(sign * 200 * g.delta, 10);
    expect(v.greeks!.gamma).toBeCloseTo(sign * 200 * g.gamma, 10);
    expect(v.greeks!.theta).toBeCloseTo(sign * 200 * g.theta, 10);
    expect(v.greeks!.vega).toBeCloseTo(sign * 200 * g.vega, 10);
    expect(v.greeks!.rho).toBeCloseTo(sign * 200 * g.rho, 10);
    expect(Math.sign(v.greeks!.delta)).toBe(ot === OptionType.CALL ? sign : -sign);
  });

  it('models an option without a price from its underlying, rounded to 4 dp, default volatility', () => {
    const v = valueLeg(option(PositionType.LC, OptionType.CALL, 180, '4.50'), env({ AAPL: 185 }));
    const model = bsPrice(OptionType.CALL, 185, 180, yearsToExpiry('2024-03-15', now), 0.04, 0.3);
    expect(v.priceSource).toBe(PriceSource.MODEL);
    expect(v.price.toString()).toBe(d(model).toDecimalPlaces(4).toString());
    expect(v.marketValue.equals(v.price.mul(200))).toBe(true);
    expect(v.greeks!.delta).toBeGreaterThan(0);
  });

  it('falls back to the entry price with no greeks when nothing is known of an option', () => {
    const v = valueLeg(option(PositionType.SP, OptionType.PUT, 170, '2.10'), env());
    expect(v.priceSource).toBe(PriceSource.ENTRY);
    expect(v.price.toString()).toBe('2.1');
    expect(v.unrealizedPnl.isZero()).toBe(true);
    expect(v.greeks).toBeNull();
  });

  it('values a PRIVATE leg from its last known price, market price or entry price, without greeks', () => {
    const last = valueLeg(privateLeg, env({ TWO_SIGMA_FUND: 1200 }), d('1100.5'));
    expect([last.price.toString(), last.priceSource, last.greeks]).toEqual(['1100.5', PriceSource.MARKET, null]);
    expect(last.unrealizedPnl.toString()).toBe('301.2');
    const market = valueLeg(privateLeg, env({ TWO_SIGMA_FUND: 1200 }), null);
    expect([market.price.toString(), market.priceSource]).toEqual(['1200', PriceSource.MARKET]);
    const entry = valueLeg(privateLeg, env());
    expect([entry.price.toString(), entry.priceSource, entry.greeks]).toEqual(['1000.1', PriceSource.ENTRY, null]);
  });
});

describe('sumValuations', () => {
  it('sums amounts and greeks, counting missing greeks as zero', () => {
    const e = env({ AAPL: 185 });
    const legs = [stock(PositionType.LONG, 200, 170), option(PositionType.SC, OptionType.CALL, 190, '3'), privateLeg];
    const values = legs.map((l) => valueLeg(l, e));
    const t = sumValuations(values);
    expect(t.marketValue.equals(values.reduce((a, v) => a.plus(v.marketValue), d(0)))).toBe(true);
    expect(t.costBasis.toString()).toBe(d(34000).minus(600).plus('3000.3').toString());
    expect(t.unrealizedPnl.equals(t.marketValue.minus(t.costBasis))).toBe(true);
    expect(t.netDelta).toBeCloseTo(200 + values[1].greeks!.delta, 10);
    expect(t.netTheta).toBeCloseTo(values[1].greeks!.theta, 10);
    expect(t.netGamma).toBeLessThan(0);
    expect(t.netVega).toBeLessThan(0);
  });

  it('is zero for no legs', () => {
    const t = sumValuations([]);
    expect([t.marketValue.toString(), t.netDelta]).toEqual(['0', 0]);
  });
});

describe('closed legs', () => {
  const closedShortCall: LegData = {
    ...option(PositionType.SC, OptionType.CALL, 190, '5.20'),
    status: LegStatus.CLOSED,
    exitPrice: d('1.70'),
  };

  it('are frozen at their exit price: no value, cost, P&L or greeks, whatever the market', () => {
    const v = valueLeg(closedShortCall, env({ AAPL: '250', [closedShortCall.symbol]: '60' }));
    expect(v).toEqual({
      price: d('1.7'),
      priceSource: PriceSource.MARKET,
      marketValue: d(0),
      costBasis: d(0),
      unrealizedPnl: d(0),
      greeks: null,
    });
  });

  it('realize sign × quantity × multiplier × (exit − entry); open legs realize 0', () => {
    expect(realizedPnl(closedShortCall).toFixed()).toBe('700'); // −1 × 2 × 100 × (1.70 − 5.20)
    const soldStock = {
      ...stock(PositionType.LONG, '10.5', '100.10'),
      status: LegStatus.CLOSED,
      exitPrice: d('99.05'),
    };
    expect(realizedPnl(soldStock).toFixed()).toBe('-11.025');
    expect(realizedPnl(stock(PositionType.LONG, 1, 1)).toFixed()).toBe('0');
  });

  it('are left out of totals by openLegs', () => {
    const open = stock(PositionType.LONG, 100, '150');
    expect(openLegs([closedShortCall, open])).toEqual([open]);
    expect(signedUnits(closedShortCall).toFixed()).toBe('-200');
  });
});
