import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { errorText } from './apollo';
import { BATCH_PROGRESS, BATCH_RUN, IMPORT, IMPORT_RUN } from './operations';

const EXAMPLE = `ticker,quantity,entry_price,entry_date,tags
AAPL,100,180.50,2026-01-05,"tech,core"
AAPL  270115C00200000,-1,6.10,2026-01-05,tech`;

/** CSV import of positions: progress from batchRunProgress, the rows' errors listed. */
export function ImportPanel({ portfolioId }: { portfolioId: string }) {
  const client = useApolloClient();
  const [csv, setCsv] = useState('');
  const [runId, setRunId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [start, starting] = useMutation(IMPORT);
  // The run as stored (covers a run that finished before the subscription started), then its pushed progress.
  const stored = useQuery(BATCH_RUN, { variables: { id: runId ?? '' }, skip: !runId, fetchPolicy: 'network-only' });
  useSubscription(BATCH_PROGRESS, {
    variables: { id: runId ?? '' },
    skip: !runId,
    onData: ({ data }) => {
      const st = data.data?.batchRunProgress.status;
      if (st === 'COMPLETED' || st === 'FAILED') void client.refetchQueries({ include: 'active' });
    },
  });
  const run = runId
    ? (client.cache.readFragment({
        id: client.cache.identify({ __typename: 'BatchRun', id: runId }),
        fragment: IMPORT_RUN,
      }) ?? stored.data?.batchRun)
    : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      const r = await start({ variables: { id: portfolioId, csv } });
      setRunId(r.data?.importPositions.run.id ?? null);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function readFile(file: File | undefined) {
    if (file) setCsv(await file.text());
  }

  return (
    <section className="import" aria-label="Import positions">
      <h2>Import positions (CSV)</h2>
      <form onSubmit={submit}>
        <label>
          CSV file
          <input type="file" accept=".csv,text/csv" onChange={(e) => void readFile(e.target.files?.[0])} />
        </label>
        <label>
          CSV text
          <textarea
            value={csv}
            onChange={(e) => setCsv(e.target.value)}
            rows={8}
            placeholder={EXAMPLE}
            spellCheck={false}
          />
        </label>
        <p className="hint">
          Header <code>ticker,quantity,entry_price,entry_date,tags</code> (optional <code>investment_class</code>); tags
          comma-separated in quotes.
        </p>
        <button type="submit" disabled={starting.loading || !csv.trim()}>
          Import
        </button>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      {run && (
        <div className="run" data-testid="import-run" data-status={run.status}>
          <label>
            Progress{' '}
            <progress max={1} value={run.progress}>
              {Math.round(run.progress * 100)}%
            </progress>
          </label>
          <p aria-live="polite">
            {run.status.toLowerCase()}: {run.completed} of {run.total} rows imported
            {run.failed ? `, ${run.failed} failed` : ''}
          </p>
          {run.errors.length > 0 && (
            <ul className="row-errors" aria-label="Rows not imported">
              {run.errors.map((x) => (
                <li key={x} className="error">
                  {x}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
