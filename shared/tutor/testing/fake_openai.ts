/**
 * FAKE OpenAI server, for tests only. It stands in for the OpenAI API (which cannot be reached from these machines) and
 * speaks its chat-completions wire protocol: `POST /v1/chat/completions` answering a `chat.completion` JSON object, or
 * with `"stream": true` Server-Sent Events of `chat.completion.chunk` objects (`data: {...}\n\n`, a final usage chunk
 * with empty `choices` when `stream_options.include_usage` is set, then `data: [DONE]\n\n`), and OpenAI's error body
 * `{"error":{"message","type","param","code"}}` with its status. It answers from a script of behaviours, one per
 * request, so tests can order errors, stalls and answers.
 */

/** What the fake does for one request. */
export type FakeBehaviour =
  | { kind: "answer"; text: string; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { kind: "error"; status: number; type?: string; message?: string; code?: string | null }
  /** Waits before answering headers (exercises the per-attempt timeout). */
  | { kind: "delay"; ms: number; then: FakeBehaviour }
  /** Streams some pieces, then goes silent for `ms` (exercises the idle timeout). */
  | { kind: "stall"; pieces: string[]; ms: number }
  /** Streams `pieces`, waits until `until` settles (the test decides when), then streams `rest` and ends normally. */
  | { kind: "hold"; pieces: string[]; until: Promise<unknown>; rest: string[] };

/** A request the fake received. */
export interface FakeRequest {
  model: string;
  stream: boolean;
  messages: { role: string; content: string }[];
  body: Record<string, unknown>;
}

/** A running fake server. */
export interface FakeOpenAi {
  baseURL: string;
  requests: FakeRequest[];
  /** Behaviours for the next requests, in order; when empty, `fallback` answers. */
  script: FakeBehaviour[];
  close(): Promise<void>;
}

/** Starts the fake on a free port; `fallback` decides requests the script does not cover. */
export function startFakeOpenAi(
  fallback: (request: FakeRequest) => FakeBehaviour = () => ({ kind: "answer", text: "OK." }),
): FakeOpenAi {
  const requests: FakeRequest[] = [];
  const script: FakeBehaviour[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
      return errorResponse({
        kind: "error",
        status: 404,
        type: "invalid_request_error",
        message: "Unknown route",
      });
    }
    const body = await req.json() as Record<string, unknown>;
    const request: FakeRequest = {
      model: String(body.model),
      stream: body.stream === true,
      messages: body.messages as FakeRequest["messages"],
      body,
    };
    requests.push(request);
    const behaviour = script.shift() ?? fallback(request);
    return await respond(behaviour, request);
  });
  const { port } = server.addr as Deno.NetAddr;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script,
    close: async () => {
      await server.shutdown();
    },
  };
}

async function respond(behaviour: FakeBehaviour, request: FakeRequest): Promise<Response> {
  if (behaviour.kind === "delay") {
    await new Promise((resolve) => setTimeout(resolve, behaviour.ms));
    return respond(behaviour.then, request);
  }
  if (behaviour.kind === "error") return errorResponse(behaviour);
  const id = `chatcmpl-fake${crypto.randomUUID().slice(0, 8)}`;
  const created = Math.floor(Date.now() / 1000);
  if (behaviour.kind === "answer" && !request.stream) {
    return Response.json({
      id,
      object: "chat.completion",
      created,
      model: request.model,
      choices: [{
        index: 0,
        message: { role: "assistant", content: behaviour.text, refusal: null },
        finish_reason: "stop",
        logprobs: null,
      }],
      usage: usageOf(behaviour, request),
    });
  }
  const pieces = behaviour.kind === "answer" ? behaviour.text.match(/\S+\s*|\s+/g) ?? [] : behaviour.pieces;
  const includeUsage = (request.body.stream_options as { include_usage?: boolean } | undefined)
    ?.include_usage;
  const encoder = new TextEncoder();
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    encoder.encode(
      `data: ${
        JSON.stringify({
          id,
          object: "chat.completion.chunk",
          created,
          model: request.model,
          choices,
          ...extra,
        })
      }\n\n`,
    );
  // Cancelling the body (the client went away) ends a stall early, so tests do not wait it out.
  const stalled = Promise.withResolvers<void>();
  let stallTimer: ReturnType<typeof setTimeout> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    cancel() {
      clearTimeout(stallTimer);
      stalled.resolve();
    },
    async start(controller) {
      try {
        controller.enqueue(
          chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
        );
        for (const piece of pieces) {
          controller.enqueue(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
        }
        if (behaviour.kind === "stall") {
          stallTimer = setTimeout(stalled.resolve, behaviour.ms);
          await stalled.promise;
          controller.close();
          return;
        }
        if (behaviour.kind === "hold") {
          let cancelled = false;
          await Promise.race([
            behaviour.until.then(() => {}, () => {}),
            stalled.promise.then(() => cancelled = true),
          ]);
          if (cancelled) return;
          for (const piece of behaviour.rest) {
            controller.enqueue(chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]));
          }
        }
        controller.enqueue(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
        if (includeUsage) controller.enqueue(chunk([], { usage: usageOf(behaviour, request) }));
        controller.enqueue(encoder.encode("data: [DONE]\n\n"));
        controller.close();
      } catch {
        // The client went away: nothing to finish.
      }
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
  });
}

function usageOf(behaviour: FakeBehaviour, request: FakeRequest) {
  if (behaviour.kind === "answer" && behaviour.usage) {
    return {
      ...behaviour.usage,
      total_tokens: behaviour.usage.prompt_tokens + behaviour.usage.completion_tokens,
    };
  }
  // A rough count (4 characters a token) is enough for accounting tests.
  const prompt = Math.ceil(request.messages.reduce((s, m) => s + m.content.length, 0) / 4);
  const completion = behaviour.kind === "answer" ? Math.ceil(behaviour.text.length / 4) : 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function errorResponse(behaviour: Extract<FakeBehaviour, { kind: "error" }>): Response {
  const type = behaviour.type ?? (behaviour.status === 429 ? "rate_limit_exceeded" : "server_error");
  return Response.json(
    {
      error: {
        message: behaviour.message ?? `Fake error ${behaviour.status}`,
        type,
        param: null,
        code: behaviour.code ?? (behaviour.status === 429 ? "rate_limit_exceeded" : null),
      },
    },
    // OpenAI sends retry hints; a short one keeps the SDK's backoff fast in tests.
    { status: behaviour.status, headers: { "retry-after-ms": "10", "x-request-id": "req_fake" } },
  );
}
