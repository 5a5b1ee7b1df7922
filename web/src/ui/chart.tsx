/** A line chart over time (uPlot: small, fast, canvas), with a text summary for screen readers. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function TimeChart(props: { label: string; summary: string; points: ReadonlyArray<{ at: string; value: number }>; seriesLabel: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || props.points.length === 0) return;
    const sorted = [...props.points].sort((a, b) => a.at.localeCompare(b.at));
    const data: uPlot.AlignedData = [sorted.map((p) => Date.parse(p.at) / 1000), sorted.map((p) => p.value)];
    const plot = new uPlot(
      {
        width: Math.max(280, Math.min(el.clientWidth || 640, 900)),
        height: 220,
        series: [{}, { label: props.seriesLabel, stroke: '#1f5fbf', width: 2, fill: 'rgba(31,95,191,0.08)' }],
        axes: [{ stroke: '#333' }, { stroke: '#333' }],
        // A single entry gets a day either side rather than uPlot's years.
        scales: { x: { time: true, range: (_u, min, max) => (min === max ? [min - 86_400, max + 86_400] : [min, max]) } },
        legend: { show: false },
      },
      data,
      el,
    );
    return () => plot.destroy();
  }, [props.points]);
  return (
    <figure class="chart">
      <div ref={box} role="img" aria-label={`${props.label}: ${props.summary}`} />
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}

const PALETTE = ['#1f5fbf', '#b5470b', '#1e6b32', '#7a2e8c', '#a4161a', '#0f6f7a', '#6b5a00', '#4a4a4a', '#c2185b', '#2e4a7a'];

export interface Series { readonly label: string; readonly values: readonly number[] }

/**
 * Values over named categories (months, stores, expiry months): one series as bars, or one or
 * more as lines, with its own legend and a text summary for screen readers.
 */
export function CategoryChart(props: { label: string; summary: string; categories: readonly string[]; series: readonly Series[]; kind: 'bars' | 'lines'; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || props.categories.length === 0 || props.series.length === 0) return;
    const xs = props.categories.map((_, i) => i);
    const bars = props.kind === 'bars' ? uPlot.paths.bars! : undefined;
    const plot = new uPlot(
      {
        width: Math.max(280, Math.min(el.clientWidth || 640, 900)),
        height: 240,
        series: [
          {},
          ...props.series.map((s, i) => {
            const colour = PALETTE[i % PALETTE.length]!;
            // Bars of several series overlap, so a bar chart is given one series.
            return bars
              ? { label: s.label, stroke: colour, fill: colour, width: 0, paths: bars({ size: [0.7, 80] }) }
              : { label: s.label, stroke: colour, width: 2, points: { show: true } };
          }),
        ],
        axes: [
          { stroke: '#333', splits: () => xs, values: (_u, splits) => splits.map((v) => props.categories[v] ?? '') },
          { stroke: '#333' },
        ],
        scales: { x: { time: false, range: () => [-0.6, props.categories.length - 0.4] } },
        legend: { show: false },
        cursor: { show: false },
      },
      [xs, ...props.series.map((s) => [...s.values])],
      el,
    );
    return () => plot.destroy();
  }, [props.categories, props.series, props.kind]);
  return (
    <figure class="chart" data-testid={props.testId}>
      <div ref={box} role="img" aria-label={`${props.label}: ${props.summary}`} />
      <figcaption>
        {props.label}
        {props.kind === 'lines' && (
          <ul class="legend">
            {props.series.map((s, i) => <li key={s.label}><span class="swatch" data-colour={i % PALETTE.length} />{s.label}</li>)}
          </ul>
        )}
      </figcaption>
    </figure>
  );
}
