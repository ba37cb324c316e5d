import client from "prom-client";

/** Prometheus metrics of one service: HTTP traffic by route template, process memory, plus what features add. */
export interface ServiceMetrics {
  registry: client.Registry;
  httpRequests: client.Counter<"method" | "route" | "status">;
  httpDuration: client.Histogram<"method" | "route" | "status">;
}

/** Creates a fresh registry for one service (one per app, so tests never share counters). */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  const httpRequests = new client.Counter({
    name: "http_requests_total",
    help: "HTTP requests served, by route template and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration in seconds, by route template and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new client.Gauge({
    name: "process_memory_bytes",
    help: "Process memory in bytes, by kind (rss, heap_total, heap_used, external)",
    labelNames: ["kind"] as const,
    registers: [registry],
    collect() {
      const m = Deno.memoryUsage();
      this.set({ kind: "rss" }, m.rss);
      this.set({ kind: "heap_total" }, m.heapTotal);
      this.set({ kind: "heap_used" }, m.heapUsed);
      this.set({ kind: "external" }, m.external);
    },
  });
  const started = Date.now() / 1000;
  new client.Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since the Unix epoch in seconds",
    registers: [registry],
    collect() {
      this.set(started);
    },
  });
  return { registry, httpRequests, httpDuration };
}
