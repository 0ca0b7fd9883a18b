import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  pointerWithin,
  useSensor,
  useSensors,
  type CollisionDetection,
  type DragEndEvent,
} from '@dnd-kit/core';
import { arrayMove, sortableKeyboardCoordinates } from '@dnd-kit/sortable';
import { useEffect, useMemo, useState } from 'react';
import { errorText } from './apollo';
import { CreateStrategyDialog } from './CreateStrategyDialog';
import { fmtMoney, fmtNum, sign } from './format';
import type { GroupBy, StrategyFilter, StrategyType, TagMatch } from './gql/graphql';
import { ImportPanel } from './ImportPanel';
import { LiveUpdates } from './Live';
import { ADD_TAGS, APPLY_DETECTIONS, PORTFOLIOS, REORDER_TAGS, TAGS, TOTALS } from './operations';
import { PerformancePanel } from './PerformancePanel';
import { store, useStore } from './store';
import { StrategyDetail } from './StrategyDetail';
import { StrategyTable, type LegRef } from './StrategyTable';
import { TagsSidebar } from './TagsSidebar';

export const STRATEGY_TYPES: StrategyType[] = [
  'STANDALONE',
  'COVERED_CALL',
  'PROTECTIVE_PUT',
  'COLLAR',
  'VERTICAL_SPREAD',
  'IRON_CONDOR',
  'IRON_BUTTERFLY',
  'BUTTERFLY',
  'STRADDLE',
  'STRANGLE',
  'CALENDAR_SPREAD',
  'DIAGONAL_SPREAD',
  'PAIRS_TRADE',
  'CUSTOM',
];
const GROUPS: { value: GroupBy | ''; label: string }[] = [
  { value: '', label: 'No grouping' },
  { value: 'TAG', label: 'Tag' },
  { value: 'STRATEGY_TYPE', label: 'Type' },
  { value: 'UNDERLYING', label: 'Underlying' },
  { value: 'SECTOR', label: 'Sector' },
];

type View = 'strategies' | 'performance' | 'import';
export interface Notice {
  text: string;
  kind: 'error' | 'info';
  strategyId?: string;
}

/** Pointer drops land on what is under the pointer; keyboard drags move to the closest target. */
const collision: CollisionDetection = (args) => {
  const hits = pointerWithin(args);
  return hits.length ? hits : closestCenter(args);
};

export function PortfolioScreen() {
  const { username, connection } = useStore();
  const client = useApolloClient();
  const portfolios = useQuery(PORTFOLIOS);
  const [portfolioId, setPortfolioId] = useState<string | null>(null);
  const list = portfolios.data?.portfolios ?? [];
  const current = list.find((p) => p.id === portfolioId) ?? list[0];

  const [view, setView] = useState<View>('strategies');
  const [search, setSearch] = useState('');
  const [underlying, setUnderlying] = useState('');
  const [type, setType] = useState<StrategyType | ''>('');
  const [tagIds, setTagIds] = useState<string[]>([]);
  const [tagMatch, setTagMatch] = useState<TagMatch>('ANY');
  const [groupBy, setGroupBy] = useState<GroupBy | ''>('');
  const [selectedLegs, setSelectedLegs] = useState<Map<string, LegRef>>(new Map());
  const [detailId, setDetailId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);

  const debouncedSearch = useDebounced(search, 250);
  const debouncedUnderlying = useDebounced(underlying, 250);
  const filter = useMemo<StrategyFilter>(() => {
    const f: StrategyFilter = { statuses: ['ACTIVE'] };
    if (debouncedSearch.trim()) f.search = debouncedSearch.trim();
    if (debouncedUnderlying.trim()) f.underlying = debouncedUnderlying.trim().toUpperCase();
    if (type) f.types = [type];
    if (tagIds.length) {
      f.tagIds = tagIds;
      f.tagMatch = tagMatch;
    }
    return f;
  }, [debouncedSearch, debouncedUnderlying, type, tagIds, tagMatch]);

  const tags = useQuery(TAGS, { variables: { includeArchived: true } });
  const [addTags] = useMutation(ADD_TAGS);
  const [reorderTags] = useMutation(REORDER_TAGS);
  const [applyDetections, applying] = useMutation(APPLY_DETECTIONS);
  const activeTags = (tags.data?.tags ?? [])
    .filter((t) => !t.isArchived)
    .sort((a, b) => a.displayOrder - b.displayOrder);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  async function assignTag(strategyId: string, tagId: string) {
    try {
      await addTags({ variables: { strategyId, tagIds: [tagId] } });
      setNotice(null);
      await client.refetchQueries({ include: [TAGS] });
    } catch (e) {
      setNotice({ kind: 'error', text: errorText(e), strategyId });
    }
  }

  async function onDragEnd({ active, over }: DragEndEvent) {
    setDragging(null);
    if (!over) return;
    const a = String(active.id);
    const o = String(over.id);
    if (a.startsWith('tag:') && o.startsWith('strategy:')) return assignTag(o.slice(9), a.slice(4));
    if (a.startsWith('strategy:') && (o.startsWith('tag:') || o.startsWith('group-tag:'))) {
      return assignTag(a.slice(9), o.startsWith('tag:') ? o.slice(4) : o.slice(10));
    }
    if (a.startsWith('tag:') && o.startsWith('tag:') && a !== o) {
      const ids = activeTags.map((t) => t.id);
      const next = arrayMove(ids, ids.indexOf(a.slice(4)), ids.indexOf(o.slice(4)));
      try {
        await reorderTags({
          variables: { ids: next },
          optimisticResponse: {
            reorderTags: next.map((id, i) => ({ __typename: 'Tag' as const, id, displayOrder: i })),
          },
        });
      } catch (e) {
        setNotice({ kind: 'error', text: errorText(e) });
      }
    }
  }

  function toggleLeg(leg: LegRef, on: boolean) {
    setSelectedLegs((m) => {
      const next = new Map(m);
      if (on) next.set(leg.id, leg);
      else next.delete(leg.id);
      return next;
    });
  }

  if (portfolios.error)
    return (
      <main className="screen">
        <p role="alert" className="error">
          {errorText(portfolios.error)}
        </p>
      </main>
    );

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collision}
      onDragEnd={onDragEnd}
      onDragStart={({ active }) => setDragging(String(active.id))}
      onDragCancel={() => setDragging(null)}
    >
      <DragOverlay dropAnimation={null}>{dragging && <DragLabel id={dragging} tags={activeTags} />}</DragOverlay>
      <div className="screen">
        <header className="topbar">
          <h1>Strategy Graph</h1>
          <span className="inline">
            <label htmlFor="portfolio-picker">Portfolio</label>
            <select
              id="portfolio-picker"
              value={current?.id ?? ''}
              onFocus={() => void portfolios.refetch()}
              onChange={(e) => {
                setPortfolioId(e.target.value);
                setSelectedLegs(new Map());
                setDetailId(null);
              }}
            >
              {list.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </span>
          <nav aria-label="Views" className="tabs">
            {(['strategies', 'performance', 'import'] as View[]).map((v) => (
              <button key={v} type="button" aria-pressed={view === v} onClick={() => setView(v)}>
                {v === 'strategies' ? 'Strategies' : v === 'performance' ? 'Performance' : 'Import'}
              </button>
            ))}
          </nav>
          <span className="user">{username}</span>
          <button type="button" onClick={() => store.logout()}>
            Log out
          </button>
        </header>
        {connection === 'lost' && (
          <div role="status" className="banner">
            Live connection lost — reconnecting…
          </div>
        )}
        {portfolios.loading && <p>Loading…</p>}
        {!portfolios.loading && !current && <p>No portfolios yet. Create one through the API (createPortfolio).</p>}
        {current && (
          <>
            <LiveUpdates portfolioId={current.id} />
            <TotalsBar portfolioId={current.id} />
            <div className="layout">
              <TagsSidebar tags={tags.data?.tags ?? []} onError={(text) => setNotice({ kind: 'error', text })} />
              <main className="content">
                {view === 'strategies' && (
                  <>
                    <div className="filters" role="search">
                      <label>
                        Name
                        <input
                          type="search"
                          value={search}
                          onChange={(e) => setSearch(e.target.value)}
                          placeholder="Search"
                        />
                      </label>
                      <label>
                        Underlying
                        <input
                          value={underlying}
                          onChange={(e) => setUnderlying(e.target.value)}
                          placeholder="e.g. AAPL"
                          size={8}
                        />
                      </label>
                      <label>
                        Type
                        <select value={type} onChange={(e) => setType(e.target.value as StrategyType | '')}>
                          <option value="">All types</option>
                          {STRATEGY_TYPES.map((t) => (
                            <option key={t} value={t}>
                              {t.replace(/_/g, ' ').toLowerCase()}
                            </option>
                          ))}
                        </select>
                      </label>
                      <fieldset className="tagfilter">
                        <legend>Tags</legend>
                        {activeTags.map((t) => (
                          <label key={t.id} className="chip-check">
                            <input
                              type="checkbox"
                              checked={tagIds.includes(t.id)}
                              onChange={(e) =>
                                setTagIds((ids) => (e.target.checked ? [...ids, t.id] : ids.filter((x) => x !== t.id)))
                              }
                            />
                            <span className="swatch" style={{ background: t.color }} />
                            {t.name}
                          </label>
                        ))}
                        <label>
                          Match
                          <select value={tagMatch} onChange={(e) => setTagMatch(e.target.value as TagMatch)}>
                            <option value="ANY">any</option>
                            <option value="ALL">all</option>
                          </select>
                        </label>
                      </fieldset>
                      <label>
                        Group by
                        <select value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy | '')}>
                          {GROUPS.map((g) => (
                            <option key={g.value} value={g.value}>
                              {g.label}
                            </option>
                          ))}
                        </select>
                      </label>
                    </div>
                    <div className="actions">
                      <button type="button" disabled={selectedLegs.size < 2} onClick={() => setCreating(true)}>
                        Create strategy{selectedLegs.size ? ` (${selectedLegs.size} legs)` : ''}
                      </button>
                      {selectedLegs.size > 0 && (
                        <button type="button" onClick={() => setSelectedLegs(new Map())}>
                          Clear selection
                        </button>
                      )}
                      <button
                        type="button"
                        disabled={applying.loading}
                        onClick={async () => {
                          try {
                            const r = await applyDetections({ variables: { id: current.id } });
                            setNotice({
                              kind: 'info',
                              text: `${r.data?.applyDetections.length ?? 0} strategies created from detections`,
                            });
                            await client.refetchQueries({ include: 'active' });
                          } catch (e) {
                            setNotice({ kind: 'error', text: errorText(e) });
                          }
                        }}
                      >
                        Apply all detections
                      </button>
                    </div>
                    {notice && (
                      <p
                        role={notice.kind === 'error' ? 'alert' : 'status'}
                        className={notice.kind === 'error' ? 'error' : 'info'}
                      >
                        {notice.text}{' '}
                        <button
                          type="button"
                          className="link"
                          aria-label="Dismiss message"
                          onClick={() => setNotice(null)}
                        >
                          ×
                        </button>
                      </p>
                    )}
                    <StrategyTable
                      portfolioId={current.id}
                      filter={filter}
                      groupBy={groupBy || null}
                      selectedLegs={selectedLegs}
                      onToggleLeg={toggleLeg}
                      onOpen={setDetailId}
                      notice={notice}
                      onNotice={setNotice}
                    />
                  </>
                )}
                {view === 'performance' && <PerformancePanel portfolioId={current.id} />}
                {view === 'import' && <ImportPanel portfolioId={current.id} />}
              </main>
              {detailId && <StrategyDetail id={detailId} onClose={() => setDetailId(null)} onNotice={setNotice} />}
            </div>
            {creating && (
              <CreateStrategyDialog
                legs={[...selectedLegs.values()]}
                onClose={(createdId) => {
                  setCreating(false);
                  if (createdId) {
                    setSelectedLegs(new Map());
                    setDetailId(createdId);
                  }
                }}
              />
            )}
          </>
        )}
      </div>
    </DndContext>
  );
}

/** What follows the pointer while dragging: the tag's chip, or the strategy. */
function DragLabel({ id, tags }: { id: string; tags: { id: string; name: string; color: string }[] }) {
  const tag = id.startsWith('tag:') ? tags.find((t) => t.id === id.slice(4)) : null;
  if (tag)
    return (
      <span className="drag-overlay">
        <span className="swatch" style={{ background: tag.color }} />
        {tag.name}
      </span>
    );
  return <span className="drag-overlay">Strategy: drop on a tag</span>;
}

const PNL_KEYS = new Set(['unrealizedPnl', 'realizedPnl', 'totalPnl', 'dayPnl']);

function TotalsBar({ portfolioId }: { portfolioId: string }) {
  const { data } = useQuery(TOTALS, { variables: { id: portfolioId } });
  const t = data?.portfolio?.totals;
  if (!t) return <section className="totals" aria-label="Portfolio totals" />;
  const items: [string, string, string][] = [
    ['Market value', fmtMoney(t.marketValue), 'marketValue'],
    ['Cost basis', fmtMoney(t.costBasis), 'costBasis'],
    ['Unrealized P&L', fmtMoney(t.unrealizedPnl), 'unrealizedPnl'],
    ['Realized P&L', fmtMoney(t.realizedPnl), 'realizedPnl'],
    ['Total P&L', fmtMoney(t.totalPnl), 'totalPnl'],
    ['Day P&L', fmtMoney(t.dayPnl), 'dayPnl'],
    ['Net Δ', fmtNum(t.netDelta), 'netDelta'],
    ['Net Γ', fmtNum(t.netGamma, 4), 'netGamma'],
    ['Net Θ', fmtNum(t.netTheta), 'netTheta'],
    ['Net vega', fmtNum(t.netVega), 'netVega'],
    ['Strategies', String(t.strategyCount), 'strategyCount'],
    ['Legs', String(t.legCount), 'legCount'],
  ];
  return (
    <section className="totals" aria-label="Portfolio totals">
      {items.map(([label, value, key]) => (
        <div key={key} className="total">
          <span className="label">{label}</span>
          <Flash value={value}>
            <span className={`value ${PNL_KEYS.has(key) ? sign(t[key as 'totalPnl']) : ''}`} data-total={key}>
              {value}
            </span>
          </Flash>
        </div>
      ))}
    </section>
  );
}

/** Marks its content for a moment when `value` changes (a live update). */
export function Flash({ value, children }: { value: string; children: React.ReactNode }) {
  const [prev, setPrev] = useState(value);
  const [n, setN] = useState(0);
  if (prev !== value) {
    setPrev(value);
    setN((x) => x + 1);
  }
  return (
    <span key={n} className={n ? 'flash' : undefined} data-changed={n || undefined}>
      {children}
    </span>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
