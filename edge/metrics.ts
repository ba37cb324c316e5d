import client from "prom-client";
import type { ServiceMetrics } from "../shared/metrics.ts";

/** The edge's own counters: rate limiting, caching, and KV fallbacks. */
export interface EdgeMetrics {
  rateLimited: client.Counter<"rule">;
  cache: client.Counter<"result">;
  kvFallback: client.Counter<"component">;
  /** `cache` bound to each result, so the hot path does not hash labels per request. */
  cacheResult: Record<"hit" | "revalidated" | "miss" | "bypass", client.Counter.Internal>;
}

const byRegistry = new WeakMap<client.Registry, EdgeMetrics>();

/** The edge counters on a service's registry, created on first use (one set per registry). */
export function edgeMetricsOf(metrics: ServiceMetrics): EdgeMetrics {
  let found = byRegistry.get(metrics.registry);
  if (!found) {
    const registers = [metrics.registry];
    const cache = new client.Counter({
      name: "edge_cache_requests_total",
      help: "Edge cache outcomes: hit, revalidated (core said 304), miss, bypass (not cacheable or KV down)",
      labelNames: ["result"] as const,
      registers,
    });
    found = {
      cache,
      cacheResult: {
        hit: cache.labels({ result: "hit" }),
        revalidated: cache.labels({ result: "revalidated" }),
        miss: cache.labels({ result: "miss" }),
        bypass: cache.labels({ result: "bypass" }),
      },
      rateLimited: new client.Counter({
        name: "edge_rate_limited_total",
        help: "Requests refused with 429, by the rule that refused them",
        labelNames: ["rule"] as const,
        registers,
      }),
      kvFallback: new client.Counter({
        name: "edge_kv_fallback_total",
        help:
          "Times the edge worked without Redis: ratelimit (in-process counters), cache (bypassed), revocation",
        labelNames: ["component"] as const,
        registers,
      }),
    };
    byRegistry.set(metrics.registry, found);
  }
  return found;
}
