/**
 * Sequential request latency over one keep-alive HTTP/1.1 connection, timed around each request (no load tool's
 * own latency buckets in the way): what `bench:edge` measures the edge hop with, and what its p99 is read from.
 */

/** Percentiles of one run, in milliseconds. */
export interface LatencyRun {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers that were not 2xx. */
  non2xx: number;
}

/** Sends GET `url` one request at a time for `seconds`, with `headers`, and returns the latency percentiles. */
export async function sequentialLatency(
  url: string,
  seconds: number,
  headers: Record<string, string> = {},
): Promise<LatencyRun> {
  const target = new URL(url);
  const conn = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
  conn.setNoDelay(true);
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const request = new TextEncoder().encode(
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n${lines}\r\n`,
  );
  const buf = new Uint8Array(64 * 1024);
  const decoder = new TextDecoder();
  const one = async (): Promise<number> => {
    await conn.write(request);
    let text = "";
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) throw new Error("the server closed the connection");
      text += decoder.decode(buf.subarray(0, n));
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) continue;
      const head = text.slice(0, end);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const done = length
        ? text.length - end - 4 >= Number(length[1])
        : /\r\ntransfer-encoding:\s*chunked/i.test(head) && text.endsWith("0\r\n\r\n");
      if (done) return Number(text.slice(9, 12));
    }
  };
  try {
    const times: number[] = [];
    let non2xx = 0;
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      const started = performance.now();
      const status = await one();
      times.push(performance.now() - started);
      if (status < 200 || status > 299) non2xx++;
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
    return { count: times.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: times.at(-1)!, non2xx };
  } finally {
    conn.close();
  }
}
