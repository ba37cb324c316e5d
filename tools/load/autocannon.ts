/**
 * Runs autocannon (npm) in a process of its own, so the load tool never shares an event loop with what it
 * measures. `deno run -A tools/load/autocannon.ts` reads its options as JSON on stdin (a thousand users' tokens do not
 * fit in an argument list) and prints autocannon's result as one JSON line; `runAutocannon()` is the caller's side.
 */
import autocannon from "autocannon";
import { runJsonChild } from "./child.ts";

/** The part of autocannon's result the benchmarks read. */
export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p97_5: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  "2xx": number;
}

/** What a run sends (autocannon's own option names). */
export interface AutocannonOptions {
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Requests to send, instead of a duration. */
  amount?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Several request shapes sent in turn on each connection. */
  requests?: { method?: string; path: string; headers?: Record<string, string>; body?: string }[];
  /**
   * Requests per second over all connections (autocannon shares it out: each connection sends its share back to back
   * at the start of every second, then waits for the next). Unset: closed loop, as fast as answers come.
   */
  overallRate?: number;
  /** Requests per second per connection (instead of `overallRate`). */
  connectionRate?: number;
  /**
   * With a rate, autocannon by default "corrects" latencies for coordinated omission with an expected interval of
   * `ceil(1 / rate)` = 1 ms, which adds made-up shorter latencies and lowers the percentiles; the harness turns
   * that off so the percentiles are the answers' own.
   */
  ignoreCoordinatedOmission?: boolean;
}

/** Runs autocannon in a child process and returns its result. */
export async function runAutocannon(options: AutocannonOptions): Promise<AutocannonResult> {
  return await runJsonChild<AutocannonResult>(import.meta.filename!, options, "autocannon");
}

if (import.meta.main) {
  const options = JSON.parse(await new Response(Deno.stdin.readable).text()) as AutocannonOptions;
  const result = await autocannon({ ...options, duration: options.duration });
  console.log(JSON.stringify(result));
}
