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
