/**
 * A bar or line chart drawn by Chartist (SVG, ~13 KB gzip, no dependencies; loaded on first use so the pages
 * that have no chart do not carry it). A chart alone says nothing to a screen reader, so each one is a figure
 * with a caption, a one-sentence summary as its accessible name, a legend in text, and its numbers in a table
 * behind "Show the data". In Arabic the time axis runs from right to left and the value axis sits on the right.
 */
import { useEffect, useRef } from "preact/hooks";
import { useI18n } from "../../lib/i18n.tsx";

/** One named row of values, one value per label. */
export interface ChartSeries {
  name: string;
  values: number[];
}

type Chartist = typeof import("chartist");
let loading: Promise<Chartist> | null = null;

function loadChartist(): Promise<Chartist> {
  loading ??= Promise.all([import("chartist"), import("chartist/dist/index.css")]).then(([m]) => m);
  return loading;
}

/** A captioned chart with a text summary, a legend and a data table. */
export function Chart(props: {
  kind: "bar" | "line";
  caption: string;
  summary: string;
  labels: string[];
  series: ChartSeries[];
  stacked?: boolean;
  /** The heading of the labels' column in the data table ("When" unless given). */
  labelHeading?: string;
}) {
  const { t, language } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const rtl = language === "ar";
  useEffect(() => {
    let chart: { detach(): unknown } | undefined;
    let cancelled = false;
    loadChartist().then(({ BarChart, LineChart }) => {
      if (cancelled || !box.current) return;
      const data = { labels: props.labels, series: props.series.map((s) => s.values) };
      const common = {
        height: "220px",
        reverseData: rtl,
        axisY: { onlyInteger: true, position: rtl ? "end" as const : "start" as const, low: 0 },
        // Fewer labels than points on long series, so they never overlap.
        axisX: {
          labelInterpolationFnc: (value: unknown, index: number) =>
            index % Math.max(1, Math.ceil(props.labels.length / 8)) === 0 ? String(value) : null,
        },
      };
      chart = props.kind === "bar"
        ? new BarChart(box.current, data, { ...common, stackBars: props.stacked ?? false })
        : new LineChart(box.current, data, { ...common, showArea: false, fullWidth: true });
    });
    return () => {
      cancelled = true;
      chart?.detach();
      if (box.current) box.current.textContent = "";
    };
  }, [props.kind, JSON.stringify(props.labels), JSON.stringify(props.series), rtl, props.stacked]);

  return (
    <figure class="chart">
      <figcaption>{props.caption}</figcaption>
      <div ref={box} class="chart-drawing" role="img" aria-label={props.summary} />
      <ul class="chart-legend">
        {props.series.map((s, i) => (
          <li key={s.name}>
            <span class={`swatch swatch-${String.fromCharCode(97 + i)}`} aria-hidden="true" />
            {s.name}
          </li>
        ))}
      </ul>
      <details>
        <summary>{t("chart.showData")}</summary>
        <table class="data">
          <thead>
            <tr>
              <th scope="col">{props.labelHeading ?? t("chart.when")}</th>
              {props.series.map((s) => <th key={s.name} scope="col">{s.name}</th>)}
            </tr>
          </thead>
          <tbody>
            {props.labels.map((label, row) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {props.series.map((s) => <td key={s.name}>{s.values[row]}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
