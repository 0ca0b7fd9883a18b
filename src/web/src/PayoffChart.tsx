import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface PayoffCurve {
  prices: number[];
  pnl: number[];
  breakEvens: number[];
  current: number | null;
}

/** The expiry payoff (P&L against the underlying's price) with break-evens and the current price (uPlot). */
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
          { label: 'P&L at expiry', stroke: '#059669', width: 2, fill: 'rgba(5,150,105,0.08)' },
        ],
        // RISK: the T+0 curve (tZeroCurve) becomes a second series here once the API has it.
        hooks: { draw: [marks] },
      },
      [curve.prices, curve.pnl],
      el.current,
    );
    return () => plot.destroy();
  }, [curve, width, height]);
  return (
    <div
      ref={el}
      className="payoff-chart"
      role="img"
      aria-label="Payoff at expiry with break-even points"
      data-testid="payoff-chart"
    />
  );
}
