import { useMutation, useQuery } from '@apollo/client/react';
import { useDraggable, useDroppable } from '@dnd-kit/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { errorText } from './apollo';
import { fmtMoney, fmtNum, sign, typeLabel } from './format';
import type { GroupBy, StrategyFilter, StrategyRowFragment } from './gql/graphql';
import { GROUPED, REMOVE_TAGS, STRATEGIES } from './operations';
import { Flash, type Notice } from './PortfolioScreen';

export type LegRef = StrategyRowFragment['legs'][number] & { strategyName: string };
type Group = {
  key: string;
  tag?: { id: string; name: string; color: string } | null;
  totals: { marketValue: string; unrealizedPnl: string; netDelta: number; strategyCount: number };
};
type Item =
  | { kind: 'group'; group: Group }
  | { kind: 'strategy'; s: StrategyRowFragment }
  | { kind: 'leg'; s: StrategyRowFragment; leg: StrategyRowFragment['legs'][number] };

const PAGE = 100;
const HEIGHT = { group: 44, strategy: 44, leg: 34 } as const;

interface Props {
  portfolioId: string;
  filter: StrategyFilter;
  groupBy: GroupBy | null;
  selectedLegs: Map<string, LegRef>;
  onToggleLeg(leg: LegRef, on: boolean): void;
  onOpen(id: string): void;
  notice: Notice | null;
  onNotice(n: Notice | null): void;
}

/** Strategy rows (virtualised), expandable to their legs; pages fetched with first/after, or groups with totals. */
export function StrategyTable(p: Props) {
  const flat = useQuery(STRATEGIES, {
    variables: { id: p.portfolioId, first: PAGE, filter: p.filter },
    skip: !!p.groupBy,
    fetchPolicy: 'cache-and-network',
    nextFetchPolicy: 'cache-first',
  });
  const grouped = useQuery(GROUPED, {
    variables: { id: p.portfolioId, by: p.groupBy ?? 'TAG', filter: p.filter },
    skip: !p.groupBy,
    fetchPolicy: 'cache-and-network',
    nextFetchPolicy: 'cache-first',
  });
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const conn = flat.data?.portfolio?.strategies;

  const items = useMemo<Item[]>(() => {
    const out: Item[] = [];
    const push = (s: StrategyRowFragment) => {
      out.push({ kind: 'strategy', s });
      if (expanded.has(s.id)) for (const leg of s.legs) out.push({ kind: 'leg', s, leg });
    };
    if (p.groupBy) {
      for (const g of grouped.data?.portfolio?.groupedStrategies ?? []) {
        out.push({ kind: 'group', group: g });
        g.strategies.forEach(push);
      }
    } else {
      conn?.edges.forEach((e) => push(e.node));
    }
    return out;
  }, [p.groupBy, grouped.data, conn, expanded]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => HEIGHT[items[i].kind],
    overscan: 12,
    getItemKey: (i) => {
      const it = items[i];
      return it.kind === 'group' ? `g:${it.group.key}` : it.kind === 'strategy' ? `s:${it.s.id}` : `l:${it.leg.id}`;
    },
  });
  const virtualItems = virtual.getVirtualItems();

  // The next page when the last rows come into view.
  const last = virtualItems.at(-1)?.index ?? 0;
  useEffect(() => {
    if (p.groupBy || !conn?.pageInfo.hasNextPage || flat.loading) return;
    if (last >= items.length - 20) {
      void flat.fetchMore({ variables: { after: conn.pageInfo.endCursor } });
    }
  }, [last, items.length, conn, flat, p.groupBy]);

  const error = flat.error ?? grouped.error;
  const count = p.groupBy
    ? (grouped.data?.portfolio?.groupedStrategies.reduce((n, g) => n + g.strategies.length, 0) ?? 0)
    : (conn?.totalCount ?? 0);

  return (
    <section className="table" aria-label="Strategies">
      <div className="thead" role="row">
        <span className="c-expand" />
        <span className="c-name">Strategy</span>
        <span className="c-type">Type</span>
        <span className="c-num">Legs</span>
        <span className="c-num">Market value</span>
        <span className="c-num">Unrealized P&amp;L</span>
        <span className="c-num">Realized P&amp;L</span>
        <span className="c-num">Δ</span>
        <span className="c-num">Θ</span>
        <span className="c-tags">Tags</span>
      </div>
      {error && (
        <p role="alert" className="error">
          {errorText(error)}
        </p>
      )}
      <div ref={scrollRef} className="tbody" data-testid="strategy-scroll">
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtualItems.map((v) => {
            const it = items[v.index];
            // dnd-kit measures drop targets without their CSS transforms: rows are placed by top, not translateY.
            const style = { position: 'absolute' as const, top: v.start, left: 0, right: 0, height: v.size };
            if (it.kind === 'group')
              return <GroupRow key={v.key} group={it.group} style={style} groupBy={p.groupBy!} />;
            if (it.kind === 'strategy') {
              return (
                <StrategyRow
                  key={v.key}
                  s={it.s}
                  style={style}
                  expanded={expanded.has(it.s.id)}
                  onToggle={() =>
                    setExpanded((e) => {
                      const n = new Set(e);
                      if (n.has(it.s.id)) n.delete(it.s.id);
                      else n.add(it.s.id);
                      return n;
                    })
                  }
                  onOpen={() => p.onOpen(it.s.id)}
                  onNotice={p.onNotice}
                  error={p.notice?.kind === 'error' && p.notice.strategyId === it.s.id ? p.notice.text : null}
                />
              );
            }
            return (
              <LegRow
                key={v.key}
                leg={it.leg}
                style={style}
                checked={p.selectedLegs.has(it.leg.id)}
                onChange={(on) => p.onToggleLeg({ ...it.leg, strategyName: it.s.name }, on)}
              />
            );
          })}
        </div>
      </div>
      <p className="count" aria-live="polite">
        {flat.loading || grouped.loading
          ? 'Loading…'
          : `${count} strategies${conn && !p.groupBy ? `, ${conn.edges.length} loaded` : ''}`}
      </p>
    </section>
  );
}

function GroupRow({ group, style, groupBy }: { group: Group; style: React.CSSProperties; groupBy: GroupBy }) {
  const { setNodeRef, isOver } = useDroppable({
    id: group.tag ? `group-tag:${group.tag.id}` : `group:${group.key}`,
    disabled: !group.tag,
  });
  return (
    <div
      ref={setNodeRef}
      style={style}
      className={`row group ${isOver ? 'over' : ''}`}
      role="row"
      data-group={group.key}
    >
      <span className="c-expand" />
      <span className="c-name">
        {group.tag && <span className="swatch" style={{ background: group.tag.color }} />}
        <strong>{groupBy === 'STRATEGY_TYPE' ? typeLabel(group.key) : group.key}</strong>
      </span>
      <span className="c-type" />
      <span className="c-num">{group.totals.strategyCount}</span>
      <span className="c-num">{fmtMoney(group.totals.marketValue)}</span>
      <span className={`c-num ${sign(group.totals.unrealizedPnl)}`} data-field="group-pnl">
        {fmtMoney(group.totals.unrealizedPnl)}
      </span>
      <span className="c-num" />
      <span className="c-num">{fmtNum(group.totals.netDelta)}</span>
      <span className="c-num" />
      <span className="c-tags" />
    </div>
  );
}

function StrategyRow({
  s,
  style,
  expanded,
  onToggle,
  onOpen,
  onNotice,
  error,
}: {
  s: StrategyRowFragment;
  style: React.CSSProperties;
  expanded: boolean;
  onToggle(): void;
  onOpen(): void;
  onNotice(n: Notice | null): void;
  error: string | null;
}) {
  const drop = useDroppable({ id: `strategy:${s.id}` });
  const drag = useDraggable({ id: `strategy:${s.id}` });
  const [removeTags] = useMutation(REMOVE_TAGS);
  const pnl = s.metrics?.unrealizedPnl ?? null;
  return (
    <div
      ref={drop.setNodeRef}
      style={style}
      role="row"
      data-strategy-id={s.id}
      className={`row strategy ${drop.isOver ? 'over' : ''} ${drag.isDragging ? 'dragging' : ''}`}
    >
      <span className="c-expand">
        <button
          type="button"
          className="icon"
          aria-expanded={expanded}
          aria-label={`${expanded ? 'Collapse' : 'Expand'} ${s.name}`}
          onClick={onToggle}
        >
          {expanded ? '▾' : '▸'}
        </button>
      </span>
      <span className="c-name">
        <button
          type="button"
          ref={drag.setNodeRef}
          className="icon handle"
          aria-label={`Drag ${s.name} to a tag`}
          {...drag.listeners}
          {...drag.attributes}
        >
          ⠿
        </button>
        <button type="button" className="link name" onClick={onOpen} title="Open details">
          {s.name}
        </button>
        {s.metrics?.stale && (
          <span className="stale" title="Being recomputed">
            •
          </span>
        )}
        {error && (
          <span role="alert" className="error inline-error">
            {error}
          </span>
        )}
      </span>
      <span className="c-type">{typeLabel(s.type)}</span>
      <span className="c-num">{s.legCount}</span>
      <span className="c-num">
        <Flash value={fmtMoney(s.metrics?.marketValue)}>{fmtMoney(s.metrics?.marketValue)}</Flash>
      </span>
      <span className={`c-num ${sign(pnl)}`} data-field="pnl">
        <Flash value={fmtMoney(pnl)}>{fmtMoney(pnl)}</Flash>
      </span>
      <span className={`c-num ${sign(s.metrics?.realizedPnl)}`} data-field="realized">
        {fmtMoney(s.metrics?.realizedPnl)}
      </span>
      <span className="c-num">
        <Flash value={fmtNum(s.metrics?.netDelta)}>{fmtNum(s.metrics?.netDelta)}</Flash>
      </span>
      <span className="c-num">{fmtNum(s.metrics?.netTheta)}</span>
      <span className="c-tags">
        {s.tags.map((t) => (
          <span key={t.id} className="chip" style={{ borderColor: t.color }}>
            <span className="swatch" style={{ background: t.color }} />
            {t.name}
            <button
              type="button"
              className="icon x"
              aria-label={`Remove tag ${t.name} from ${s.name}`}
              onClick={async () => {
                try {
                  await removeTags({ variables: { strategyId: s.id, tagIds: [t.id] }, refetchQueries: ['Tags'] });
                } catch (e) {
                  onNotice({ kind: 'error', text: errorText(e), strategyId: s.id });
                }
              }}
            >
              ×
            </button>
          </span>
        ))}
      </span>
    </div>
  );
}

function LegRow({
  leg,
  style,
  checked,
  onChange,
}: {
  leg: StrategyRowFragment['legs'][number];
  style: React.CSSProperties;
  checked: boolean;
  onChange(on: boolean): void;
}) {
  const short = leg.positionType === 'SHORT' || leg.positionType === 'SC' || leg.positionType === 'SP';
  const closed = leg.status === 'CLOSED';
  return (
    <div style={style} role="row" className={`row leg ${closed ? 'closed' : ''}`} data-leg-id={leg.id}>
      <span className="c-expand">
        <input
          type="checkbox"
          checked={checked}
          disabled={closed}
          onChange={(e) => onChange(e.target.checked)}
          aria-label={`Select leg ${leg.symbol}`}
        />
      </span>
      <span className="c-name mono">{leg.symbol}</span>
      <span className="c-type">
        {short ? '−' : '+'}
        {fmtNum(leg.quantity)} ·{' '}
        {closed ? `exit ${fmtMoney(leg.exitPrice)} ${leg.exitDate ?? ''}` : `mark ${fmtMoney(leg.markPrice)}`}
      </span>
      <span className="c-num" title="Price source">
        {leg.priceSource.toLowerCase()}
      </span>
      <span className="c-num">{fmtMoney(leg.marketValue)}</span>
      <span className={`c-num ${sign(leg.unrealizedPnl)}`} data-field="leg-pnl">
        <Flash value={fmtMoney(leg.unrealizedPnl)}>{fmtMoney(leg.unrealizedPnl)}</Flash>
      </span>
      <span className={`c-num ${sign(leg.realizedPnl)}`} data-field="leg-realized">
        {fmtMoney(leg.realizedPnl)}
      </span>
      <span className="c-num">{fmtNum(leg.greeks?.delta)}</span>
      <span className="c-num">{fmtNum(leg.greeks?.theta)}</span>
      <span className="c-tags">
        <span className={`status ${closed ? 'closed' : 'open'}`} data-field="leg-status">
          {closed ? 'closed' : 'open'}
        </span>
        {!closed && (
          <span className={sign(leg.dayPnl)} data-field="leg-day-pnl" title="Day P&L">
            day {fmtMoney(leg.dayPnl)}
          </span>
        )}
      </span>
    </div>
  );
}
