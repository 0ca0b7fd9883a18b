import { useApolloClient, useSubscription } from '@apollo/client/react';
import { useEffect, useRef } from 'react';
import { METRICS_UPDATED, PORTFOLIO_CHANGED } from './operations';

/**
 * Live updates: strategyMetricsUpdated writes each pushed strategy into the normalised cache (its row updates in
 * place); the totals are read again, and portfolioChanged (combine, split, tags…) reloads the visible lists. Reads
 * are coalesced to one per 250 ms.
 */
export function LiveUpdates({ portfolioId }: { portfolioId: string }) {
  const client = useApolloClient();
  const pending = useRef<{ timer: ReturnType<typeof setTimeout> | null; all: boolean }>({ timer: null, all: false });

  function refetch(all: boolean) {
    const p = pending.current;
    p.all ||= all;
    if (p.timer) return;
    p.timer = setTimeout(() => {
      const active = [...client.getObservableQueries('active')].map((q) => q.queryName);
      const include = p.all ? 'active' : active.filter((n): n is string => n === 'Totals' || n === 'Grouped');
      p.timer = null;
      p.all = false;
      void client.refetchQueries({ include }).catch(() => undefined);
    }, 250);
  }
  useEffect(
    () => () => {
      if (pending.current.timer) clearTimeout(pending.current.timer);
    },
    [],
  );

  useSubscription(METRICS_UPDATED, { variables: { id: portfolioId }, onData: () => refetch(false) });
  useSubscription(PORTFOLIO_CHANGED, { variables: { id: portfolioId }, onData: () => refetch(true) });
  return null;
}
