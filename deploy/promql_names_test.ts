import assert from "node:assert/strict";
import { metricNamesInPromQL } from "./promql_names.ts";

Deno.test("metricNamesInPromQL() finds the metrics of a ratio with label matchers and grouping", () => {
  const expr = `sum by (service) (rate(http_requests_total{status=~"5..",route!~"/healthz|x"}[5m]))
    / sum by (service) (rate(http_requests_total[$__rate_interval])) > 0.01`;
  assert.deepEqual([...metricNamesInPromQL(expr)], ["http_requests_total"]);
});

Deno.test("metricNamesInPromQL() strips histogram suffixes and ignores functions, keywords and strings", () => {
  const expr =
    `histogram_quantile(0.95, sum by (le) (rate(llm_request_duration_seconds_bucket{model="gpt"}[5m])))
    and on (instance) max(pg_settings_max_connections) or vector(0) unless label_replace(up, "a", "b_total", "", "")`;
  assert.deepEqual(
    [...metricNamesInPromQL(expr)].sort(),
    ["llm_request_duration_seconds", "pg_settings_max_connections", "up"],
  );
});
