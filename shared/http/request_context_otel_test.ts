/**
 * Tracing with Deno's built-in OpenTelemetry: the real system (`tools/dev.ts`) runs with `OTEL_DENO=true` and exports
 * OTLP/HTTP JSON to a receiver in this test. The receiver stands in for an OpenTelemetry collector (none is
 * installable here); it speaks the collector's OTLP/HTTP endpoints (`POST /v1/traces` and `/v1/logs`, JSON) and
 * only records.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { trace } from "@opentelemetry/api";
import { createLogger } from "../logger.ts";
import { createMetrics } from "../metrics.ts";
import { createServiceApp } from "./service_app.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string } }[];
}

interface OtlpLogRecord {
  traceId?: string;
  body?: { stringValue?: string };
}

const SERVER = 2;
const CLIENT = 3;

Deno.test("[tracing] with OpenTelemetry off, requests are served and no span is touched", async () => {
  assert.equal(trace.getActiveSpan(), undefined);
  const app = createServiceApp({
    service: "test",
    logger: createLogger("test", { sink: () => {} }),
    metrics: createMetrics("test"),
    trustRequestId: true,
    bodyLimitBytes: 1024,
    readiness: {},
  });
  const res = await app.request("/healthz", { headers: { "X-Request-ID": "otel-off-1" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-request-id"), "otel-off-1");
});

Deno.test("[tracing] edge -> core is one trace, and both server spans carry the request id and route", async () => {
  const spans: OtlpSpan[] = [];
  const logs: OtlpLogRecord[] = [];
  const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.json();
    if (new URL(req.url).pathname === "/v1/traces") {
      for (const rs of body.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) spans.push(...ss.spans);
      }
    }
    if (new URL(req.url).pathname === "/v1/logs") {
      for (const rl of body.resourceLogs ?? []) {
        for (const sl of rl.scopeLogs ?? []) logs.push(...sl.logRecords);
      }
    }
    return Response.json({});
  });
  const [corePort, workersPort, edgePort] = [freePort(), freePort(), freePort()];
  const dataDir = await Deno.makeTempDir({ prefix: "ai-teacher-otel-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/dev.ts"],
    cwd: ROOT,
    env: {
      OTEL_DENO: "true",
      OTEL_SERVICE_NAME: "ai-teacher-test",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.addr.port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "200",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      READ_DATABASE_URL: "",
      CORE_PORT: String(corePort),
      WORKERS_PORT: String(workersPort),
      EDGE_PORT: String(edgePort),
      CORE_HOSTNAME: "127.0.0.1",
      WORKERS_HOSTNAME: "127.0.0.1",
      EDGE_HOSTNAME: "127.0.0.1",
      CORE_URL: `http://127.0.0.1:${corePort}`,
      TRUST_PROXY: "true",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  try {
    await waitFor(async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${edgePort}/healthz`);
        await res.body?.cancel();
        return res.ok;
      } catch {
        return false;
      }
    }, 60_000);
    const requestId = `trace-${crypto.randomUUID()}`;
    const res = await fetch(`http://127.0.0.1:${edgePort}/api/v1/version`, {
      headers: { "X-Request-ID": requestId },
    });
    assert.equal(res.status, 200);
    await res.body?.cancel();

    const withId = () => spans.filter((s) => attr(s, "request.id") === requestId && s.kind === SERVER);
    await waitFor(() => Promise.resolve(withId().length >= 2), 20_000);
    const edgeSpan = withId().find((s) => attr(s, "http.route") === "/api/v1/*");
    const coreSpan = withId().find((s) => attr(s, "http.route") === "/v1/version");
    assert.ok(edgeSpan && coreSpan, JSON.stringify(withId().map((s) => s.name)));
    assert.equal(edgeSpan.name, "GET /api/v1/*");
    assert.equal(coreSpan.name, "GET /v1/version");
    assert.equal(coreSpan.traceId, edgeSpan.traceId, "one trace across the hop");
    // core's server span is the child of the edge's outgoing fetch, itself a child of the edge's server span.
    const hop = spans.find((s) => s.spanId === coreSpan.parentSpanId);
    assert.ok(hop, "the edge's fetch span was exported");
    assert.equal(hop.kind, CLIENT);
    assert.equal(hop.parentSpanId, edgeSpan.spanId);
    // The edge's access-log line is exported as an OTel log record inside the request's trace.
    const accessLine = () =>
      logs.find((l) => {
        const text = l.body?.stringValue ?? "";
        return text.includes(`"requestId":"${requestId}"`) && text.includes(`"service":"edge"`) &&
          text.includes(`"msg":"request"`);
      });
    await waitFor(() => Promise.resolve(accessLine() !== undefined), 20_000);
    assert.equal(accessLine()!.traceId, edgeSpan.traceId);
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await stderr.cancel();
    await receiver.shutdown();
    await Deno.remove(dataDir, { recursive: true });
  }
});

function attr(span: OtlpSpan, key: string): string | undefined {
  return span.attributes.find((a) => a.key === key)?.value.stringValue;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
