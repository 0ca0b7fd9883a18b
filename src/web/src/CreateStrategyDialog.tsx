import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { errorText } from './apollo';
import { fmtMoney, typeLabel } from './format';
import type { StrategyType } from './gql/graphql';
import { COMBINE, PREVIEW } from './operations';
import { PayoffChart, type PayoffCurve } from './PayoffChart';
import { STRATEGY_TYPES } from './PortfolioScreen';
import type { LegRef } from './StrategyTable';

/**
 * "Create strategy" from the selected legs: previewStrategy's detected type, suggested name and payoff (a small
 * chart, max profit/loss, break-evens), a type selector, then combineLegs.
 */
export function CreateStrategyDialog({ legs, onClose }: { legs: LegRef[]; onClose(createdId?: string): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const client = useApolloClient();
  const legIds = useMemo(() => legs.map((l) => l.id), [legs]);
  const preview = useQuery(PREVIEW, { variables: { legIds }, fetchPolicy: 'network-only', skip: legIds.length < 2 });
  const [combine, combining] = useMutation(COMBINE);
  const match = preview.data?.previewStrategy;
  const payoff = match?.payoff;
  const curve = useMemo<PayoffCurve | null>(
    () =>
      payoff && payoff.curve.length >= 2
        ? {
            prices: payoff.curve.map((p) => Number(p.underlyingPrice)),
            pnl: payoff.curve.map((p) => Number(p.pnl)),
            breakEvens: payoff.breakEvenPoints.map(Number),
            current: null,
          }
        : null,
    [payoff],
  );
  const [name, setName] = useState('');
  const [type, setType] = useState<StrategyType>('CUSTOM');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ref.current?.showModal();
  }, []);
  useEffect(() => {
    if (touched || preview.loading) return;
    if (match) {
      setType(match.type === 'STANDALONE' ? 'CUSTOM' : match.type);
      setName(match.suggestedName);
    } else setName(`${[...new Set(legs.map((l) => l.underlyingSymbol))].join('/')} custom`);
  }, [match, touched, preview.loading, legs]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      const r = await combine({
        variables: { input: { legIds: legs.map((l) => l.id), type, name: name.trim() || undefined } },
      });
      await client.refetchQueries({ include: 'active' });
      onClose(r.data?.combineLegs.id);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby="create-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form onSubmit={submit}>
        <h2 id="create-title">Create strategy</h2>
        <table className="mini">
          <caption>Selected legs</caption>
          <thead>
            <tr>
              <th scope="col">Symbol</th>
              <th scope="col">Position</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {legs.map((l) => (
              <tr key={l.id}>
                <td className="mono">{l.symbol}</td>
                <td>
                  {l.positionType} {l.quantity}
                </td>
                <td>{l.strategyName}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="detected" aria-live="polite">
          {preview.loading ? (
            'Detecting…'
          ) : match ? (
            <>
              Detected pattern: <strong data-testid="detected-type">{typeLabel(match.type)}</strong>
              {match.type === 'CUSTOM' ? ' (no known pattern)' : ` (${Math.round(match.confidence * 100)}% confidence)`}
              , suggested name <em data-testid="suggested-name">{match.suggestedName}</em>
            </>
          ) : preview.error ? (
            <span role="alert" className="error">
              {errorText(preview.error)}
            </span>
          ) : (
            'Select at least two legs.'
          )}
        </p>
        {match && (
          <section aria-label="Payoff preview">
            {curve && <PayoffChart curve={curve} width={360} height={160} />}
            {payoff ? (
              <dl className="facts">
                <dt>Max profit</dt>
                <dd data-testid="preview-max-profit">
                  {payoff.maxProfit === null ? 'unlimited' : fmtMoney(payoff.maxProfit)}
                </dd>
                <dt>Max loss</dt>
                <dd data-testid="preview-max-loss">
                  {payoff.maxLoss === null ? 'unlimited' : fmtMoney(payoff.maxLoss)}
                </dd>
                <dt>Break-even</dt>
                <dd data-testid="preview-break-evens">{payoff.breakEvenPoints.join(' ') || 'none'}</dd>
              </dl>
            ) : (
              <p>No payoff for these legs (no options, or no prices yet).</p>
            )}
          </section>
        )}
        <label>
          Name
          <input
            value={name}
            onChange={(e) => {
              setTouched(true);
              setName(e.target.value);
            }}
            maxLength={200}
          />
        </label>
        <label>
          Type
          <select
            value={type}
            onChange={(e) => {
              setTouched(true);
              setType(e.target.value as StrategyType);
            }}
          >
            {STRATEGY_TYPES.filter((t) => t !== 'STANDALONE').map((t) => (
              <option key={t} value={t}>
                {typeLabel(t)}
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="buttons">
          <button type="button" onClick={() => onClose()}>
            Cancel
          </button>
          <button type="submit" disabled={combining.loading || legs.length < 2}>
            Create
          </button>
        </div>
      </form>
    </dialog>
  );
}
