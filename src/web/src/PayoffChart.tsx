import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface PayoffCurve {
  prices: number[];
  pnl: number[];
  breakEvens: number[];
  current: number | null;
  /** The value today (T+0) on its own price grid; drawn as a second, dashed series. */
  tZero?: { prices: number[]; pnl: number[] } | null;
}

/** Both series on the union of their price grids (uPlot shares one x array); gaps are spanned. */
function align(curve: PayoffCurve): uPlot.AlignedData {
  if (!curve.tZero?.prices.length) return [curve.prices, curve.pnl];
  const xs = [...new Set([...curve.prices, ...curve.tZero.prices])].sort((a, b) => a - b);
  const at = (p: number[], v: number[]) => {
    const m = new Map(p.map((x, i) => [x, v[i]]));
    return xs.map((x) => m.get(x) ?? null);
  };
  return [xs, at(curve.prices, curve.pnl), at(curve.tZero.prices, curve.tZero.pnl)];
}

/**
 * The expiry payoff (P&L against the underlying's price) with break-evens and the current price (uPlot), and the
 * T+0 curve (today's value) when given.
 */
export function PayoffChart({
  curve,
  width = 520,
  height = 260,
}: {
  curve: PayoffCurve;
  width?: number;
  height?: number;
}) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const w = Math.min(width, el.current.clientWidth || width);
    const marks = (u: uPlot) => {
      const ctx = u.ctx;
      const { top, height: h } = u.bbox;
      const line = (x: number, color: string, dash: number[]) => {
        const px = u.valToPos(x, 'x', true);
        ctx.save();
        ctx.strokeStyle = color;
        ctx.setLineDash(dash);
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(px, top);
        ctx.lineTo(px, top + h);
        ctx.stroke();
        ctx.restore();
      };
      const y0 = u.valToPos(0, 'y', true);
      ctx.save();
      ctx.strokeStyle = '#9ca3af';
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y0);
      ctx.lineTo(u.bbox.left + u.bbox.width, y0);
      ctx.stroke();
      ctx.restore();
      curve.breakEvens.forEach((b) => line(b, '#d97706', [6, 4]));
      if (curve.current !== null) line(curve.current, '#2563eb', []);
    };
    const plot = new uPlot(
      {
        width: w,
        height,
        scales: { x: { time: false } },
        axes: [{ label: 'Underlying price' }, { label: 'P&L at expiry', size: 70 }],
        legend: { show: false },
        series: [
          { label: 'Price' },
          { label: 'P&L at expiry', stroke: '#059669', width: 2, fill: 'rgba(5,150,105,0.08)', spanGaps: true },
          ...(curve.tZero?.prices.length
            ? [{ label: 'P&L today (T+0)', stroke: '#7c3aed', width: 2, dash: [8, 4], spanGaps: true }]
            : []),
        ],
        hooks: { draw: [marks] },
      },
      align(curve),
      el.current,
    );
    return () => plot.destroy();
  }, [curve, width, height]);
  return (
    <div
      ref={el}
      className="payoff-chart"
      role="img"
      aria-label={`Payoff at expiry${curve.tZero?.prices.length ? ' and today (T+0)' : ''} with break-even points`}
      data-testid="payoff-chart"
    />
  );
}

/** A small line chart of cumulative total P&L by day (Strategy.timeline). */
export function TimelineChart({ dates, pnl, width = 520 }: { dates: string[]; pnl: number[]; width?: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const w = Math.min(width, el.current.clientWidth || width);
    const xs = dates.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        width: w,
        height: 160,
        axes: [{}, { label: 'Total P&L', size: 70 }],
        legend: { show: false },
        series: [{ label: 'Day' }, { label: 'Total P&L', stroke: '#2563eb', width: 2 }],
      },
      [xs, pnl],
      el.current,
    );
    return () => plot.destroy();
  }, [dates, pnl, width]);
  return (
    <div
      ref={el}
      className="timeline-chart"
      role="img"
      aria-label="Cumulative total P&L by day"
      data-testid="timeline-chart"
    />
  );
}
