import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { errorText } from './apollo';
import { typeLabel } from './format';
import type { StrategyType } from './gql/graphql';
import { COMBINE, DETECT } from './operations';
import { STRATEGY_TYPES } from './PortfolioScreen';
import type { LegRef } from './StrategyTable';

/**
 * "Create strategy" from the selected legs: the detected pattern (detectStrategies), a suggested name, a type
 * selector, then combineLegs. RISK: once the API has previewStrategy, its payoff preview goes here.
 */
export function CreateStrategyDialog({
  portfolioId,
  legs,
  onClose,
}: {
  portfolioId: string;
  legs: LegRef[];
  onClose(createdId?: string): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const client = useApolloClient();
  const detect = useQuery(DETECT, { variables: { id: portfolioId }, fetchPolicy: 'network-only' });
  const [combine, combining] = useMutation(COMBINE);
  const ids = useMemo(() => new Set(legs.map((l) => l.id)), [legs]);
  const match = detect.data?.detectStrategies.find(
    (d) => d.legs.length === ids.size && d.legs.every((l) => ids.has(l.id)),
  );
  const [name, setName] = useState('');
  const [type, setType] = useState<StrategyType>('CUSTOM');
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    ref.current?.showModal();
  }, []);
  useEffect(() => {
    if (touched || detect.loading) return;
    if (match) {
      setType(match.type);
      setName(match.suggestedName);
    } else setName(`${[...new Set(legs.map((l) => l.underlyingSymbol))].join('/')} custom`);
  }, [match, touched, detect.loading, legs]);

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
          {detect.loading ? (
            'Detecting…'
          ) : match ? (
            <>
              Detected pattern: <strong data-testid="detected-type">{typeLabel(match.type)}</strong> (
              {Math.round(match.confidence * 100)}% confidence)
            </>
          ) : (
            'No known pattern among these legs (only standalone legs are detected): ' +
            'the strategy will be custom unless you choose a type.'
          )}
        </p>
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
