import { useQuery } from '@apollo/client/react';
import { errorText } from './apollo';
import { fmtMoney, fmtNum, sign, typeLabel } from './format';
import type { PerformanceQuery } from './gql/graphql';
import { PERFORMANCE } from './operations';

type Row = PerformanceQuery['performanceByTag'][number];
const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)}%`);

/** Performance by strategy type and by tag (daily returns from the stored daily P&L). */
export function PerformancePanel({ portfolioId }: { portfolioId: string }) {
  const { data, loading, error } = useQuery(PERFORMANCE, { variables: { id: portfolioId } });
  if (loading) return <p>Loading…</p>;
  if (error)
    return (
      <p role="alert" className="error">
        {errorText(error)}
      </p>
    );
  return (
    <div className="performance">
      <PerfTable caption="By strategy type" rows={data?.performanceByStrategyType ?? []} label={typeLabel} />
      <PerfTable caption="By tag" rows={data?.performanceByTag ?? []} label={(k) => k} />
    </div>
  );
}

function PerfTable({ caption, rows, label }: { caption: string; rows: Row[]; label(k: string): string }) {
  return (
    <table className="perf">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {['Group', 'Strategies', 'Unrealized P&L', 'Return', 'Sharpe', 'Max drawdown', 'Win rate'].map((h) => (
            <th key={h} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{label(r.key)}</th>
            <td>{r.strategyCount}</td>
            <td className={sign(r.unrealizedPnl)}>{fmtMoney(r.unrealizedPnl)}</td>
            <td>{pct(r.returnPct)}</td>
            <td>{fmtNum(r.sharpeRatio)}</td>
            <td>{pct(r.maxDrawdown)}</td>
            <td>{pct(r.winRate)}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={7}>No data yet.</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
