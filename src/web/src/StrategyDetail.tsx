import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useMemo, useState } from 'react';
import { errorText } from './apollo';
import { fmtMoney, fmtNum, sign, typeLabel } from './format';
import type { StrategyType } from './gql/graphql';
import { CLOSE_STRATEGY, SPLIT, STRATEGY_DETAIL, UPDATE_STRATEGY } from './operations';
import { PayoffChart, TimelineChart, type PayoffCurve } from './PayoffChart';
import { STRATEGY_TYPES, type Notice } from './PortfolioScreen';

/**
 * One strategy: payoff chart (expiry and T+0), greeks, daily timeline, minute P&L candles, versions and lineage;
 * rename, retype, split, close at given exit prices.
 */
export function StrategyDetail({
  id,
  onClose,
  onNotice,
}: {
  id: string;
  onClose(): void;
  onNotice(n: Notice | null): void;
}) {
  const client = useApolloClient();
  const { data, loading, error } = useQuery(STRATEGY_DETAIL, { variables: { id, points: 121 } });
  const [update] = useMutation(UPDATE_STRATEGY);
  const [split] = useMutation(SPLIT);
  const [close] = useMutation(CLOSE_STRATEGY);
  const [name, setName] = useState<string | null>(null);
  const [closing, setClosing] = useState(false);
  const [exits, setExits] = useState<Record<string, string>>({});
  const [actionError, setActionError] = useState<string | null>(null);
  const s = data?.strategy;
  const payoff = s?.metrics?.payoff;

  const curve = useMemo<PayoffCurve | null>(() => {
    if (!s || !payoff || payoff.curve.length < 2) return null;
    const stock = s.legs.find((l) => l.investmentClass === 'PUBLIC' && l.symbol === l.underlyingSymbol && l.lastPrice);
    return {
      prices: payoff.curve.map((p) => Number(p.underlyingPrice)),
      pnl: payoff.curve.map((p) => Number(p.pnl)),
      breakEvens: payoff.breakEvenPoints.map(Number),
      current: stock?.lastPrice ? Number(stock.lastPrice) : null,
      tZero: payoff.tZeroCurve.length
        ? {
            prices: payoff.tZeroCurve.map((p) => Number(p.underlyingPrice)),
            pnl: payoff.tZeroCurve.map((p) => Number(p.pnl)),
          }
        : null,
    };
  }, [s, payoff]);
  const timeline = useMemo(
    () => (s ? { dates: s.timeline.map((d) => d.date), pnl: s.timeline.map((d) => Number(d.totalPnl)) } : null),
    [s],
  );
  const openLegs = s?.legs.filter((l) => l.status === 'OPEN') ?? [];

  function closeWithExits() {
    const exitPrices = Object.entries(exits)
      .filter(([legId, v]) => v.trim() !== '' && openLegs.some((l) => l.id === legId))
      .map(([legId, v]) => ({ legId, exitPrice: v.trim() }));
    void act(() => close({ variables: { id, exitPrices } }), 'Strategy closed').then(
      (done) => done && setClosing(false),
    );
  }

  async function act(fn: () => Promise<unknown>, done?: string) {
    try {
      await fn();
      setActionError(null);
      await client.refetchQueries({ include: 'active' });
      if (done) onNotice({ kind: 'info', text: done });
      return true;
    } catch (e) {
      setActionError(errorText(e));
      return false;
    }
  }

  return (
    <aside className="detail" aria-label="Strategy detail">
      <div className="detail-head">
        <h2>{s?.name ?? 'Strategy'}</h2>
        <button type="button" className="icon" aria-label="Close detail" onClick={onClose}>
          ×
        </button>
      </div>
      {loading && <p>Loading…</p>}
      {error && (
        <p role="alert" className="error">
          {errorText(error)}
        </p>
      )}
      {s && (
        <>
          <p>
            {typeLabel(s.type)} · {s.status.toLowerCase()} · {s.legs.length} legs
          </p>
          <section aria-label="Payoff">
            <h3>Payoff at expiry{curve?.tZero ? ' and today (T+0, dashed)' : ''}</h3>
            {curve ? <PayoffChart curve={curve} /> : <p>No payoff for this strategy (no options or no prices yet).</p>}
            {payoff && (
              <dl className="facts">
                <dt>Max profit</dt>
                <dd data-testid="max-profit">{payoff.maxProfit === null ? 'unlimited' : fmtMoney(payoff.maxProfit)}</dd>
                <dt>Max loss</dt>
                <dd data-testid="max-loss">{payoff.maxLoss === null ? 'unlimited' : fmtMoney(payoff.maxLoss)}</dd>
                <dt>Break-even</dt>
                <dd data-testid="break-evens">
                  {payoff.breakEvenPoints.length
                    ? payoff.breakEvenPoints.map((b) => (
                        <span key={b} className="be">
                          {b}
                        </span>
                      ))
                    : 'none'}
                </dd>
                {curve?.current != null && (
                  <>
                    <dt>Current price</dt>
                    <dd>{fmtMoney(String(curve.current))}</dd>
                  </>
                )}
              </dl>
            )}
          </section>
          {s.metrics && (
            <section aria-label="Greeks and P&L">
              <h3>Greeks</h3>
              <dl className="facts">
                <dt>Unrealized P&amp;L</dt>
                <dd className={sign(s.metrics.unrealizedPnl)}>{fmtMoney(s.metrics.unrealizedPnl)}</dd>
                <dt>Realized P&amp;L</dt>
                <dd className={sign(s.metrics.realizedPnl)} data-testid="realized-pnl">
                  {fmtMoney(s.metrics.realizedPnl)}
                </dd>
                <dt>Total P&amp;L</dt>
                <dd className={sign(s.metrics.totalPnl)}>{fmtMoney(s.metrics.totalPnl)}</dd>
                <dt>Market value</dt>
                <dd>{fmtMoney(s.metrics.marketValue)}</dd>
                <dt>Δ</dt>
                <dd>{fmtNum(s.metrics.netDelta)}</dd>
                <dt>Γ</dt>
                <dd>{fmtNum(s.metrics.netGamma, 4)}</dd>
                <dt>Θ</dt>
                <dd>{fmtNum(s.metrics.netTheta)}</dd>
                <dt>Vega</dt>
                <dd>{fmtNum(s.metrics.netVega)}</dd>
              </dl>
            </section>
          )}
          {s.status === 'ACTIVE' && (
            <section aria-label="Actions" className="detail-actions">
              <h3>Change</h3>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  if (name) void act(() => update({ variables: { id, name } }));
                }}
              >
                <label>
                  Name
                  <input value={name ?? s.name} onChange={(e) => setName(e.target.value)} />
                </label>
                <button type="submit">Rename</button>
              </form>
              <label>
                Type
                <select
                  value={s.type}
                  onChange={(e) => void act(() => update({ variables: { id, type: e.target.value as StrategyType } }))}
                >
                  {STRATEGY_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {typeLabel(t)}
                    </option>
                  ))}
                </select>
              </label>
              <div className="buttons">
                <button
                  type="button"
                  disabled={s.legs.length < 2}
                  onClick={() =>
                    void act(() => split({ variables: { id } }), 'Strategy split into its legs').then(onClose)
                  }
                >
                  Split
                </button>
                <button type="button" aria-expanded={closing} onClick={() => setClosing((c) => !c)}>
                  Close strategy…
                </button>
              </div>
              {closing && (
                <form
                  className="exit-prices"
                  aria-label="Exit prices"
                  onSubmit={(e) => {
                    e.preventDefault();
                    closeWithExits();
                  }}
                >
                  <p>Exit price per open leg (empty: closes at its mark).</p>
                  {openLegs.map((l) => (
                    <label key={l.id}>
                      <span className="mono">{l.symbol}</span>
                      <input
                        inputMode="decimal"
                        aria-label={`Exit price ${l.symbol}`}
                        placeholder={l.markPrice}
                        value={exits[l.id] ?? ''}
                        onChange={(e) => setExits((x) => ({ ...x, [l.id]: e.target.value }))}
                      />
                    </label>
                  ))}
                  <button type="submit">Close at these prices</button>
                </form>
              )}
              {actionError && (
                <p role="alert" className="error">
                  {actionError}
                </p>
              )}
            </section>
          )}
          <section aria-label="Minute P&L">
            <h3>Minute P&amp;L (latest)</h3>
            {s.m2m.length ? (
              <table className="mini">
                <thead>
                  <tr>
                    <th scope="col">Minute</th>
                    <th scope="col">Open</th>
                    <th scope="col">High</th>
                    <th scope="col">Low</th>
                    <th scope="col">Close</th>
                  </tr>
                </thead>
                <tbody>
                  {s.m2m
                    .slice(-8)
                    .reverse()
                    .map((c) => (
                      <tr key={c.bucketStart}>
                        <td>{new Date(c.bucketStart).toLocaleTimeString()}</td>
                        <td>{fmtMoney(c.open)}</td>
                        <td>{fmtMoney(c.high)}</td>
                        <td>{fmtMoney(c.low)}</td>
                        <td>{fmtMoney(c.close)}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            ) : (
              <p>No candles yet (prices move them).</p>
            )}
          </section>
          <section aria-label="Daily timeline">
            <h3>Daily total P&amp;L</h3>
            {timeline && timeline.dates.length >= 2 ? (
              <TimelineChart dates={timeline.dates} pnl={timeline.pnl} />
            ) : (
              <p>No daily history yet (it needs daily closes of the legs' symbols).</p>
            )}
          </section>
          <section aria-label="Versions and lineage">
            <h3>Versions</h3>
            <ol className="versions">
              {s.versions.map((v) => (
                <li key={v.version}>
                  v{v.version} {v.change.toLowerCase().replace(/_/g, ' ')} {v.details ?? ''}
                </li>
              ))}
            </ol>
            {(s.ancestors.length > 0 || s.descendants.length > 0) && (
              <p>
                Lineage: {s.ancestors.map((a) => a.name).join(', ') || '—'} → this →{' '}
                {s.descendants.map((d) => d.name).join(', ') || '—'}
              </p>
            )}
          </section>
        </>
      )}
    </aside>
  );
}
