/**
 * FAKE MODEL SERVER, for the load harness only (no model can be reached from these machines, and a real one would
 * measure the model, not this system). It speaks the OpenAI wire protocol the tiers use: `POST /v1/chat/completions`
 * streamed as Server-Sent Events of `chat.completion.chunk` objects with realistic timing (the first token after
 * `firstTokenMs`, then `tokensPerSecond`), or answered whole after `firstTokenMs`; and `POST /v1/embeddings` with
 * the tests' deterministic hashed bag-of-words vectors. The answer cites `[1]` and repeats the question's words, so
 * the tutor's grounding checks see a cited answer. `mode` switches it to fail like a model in trouble: `down`
 * answers 503 at once, `break` streams half the answer and then cuts the connection. Asked for a JSON schema
 * (`response_format.json_schema`), it answers what the workers' exam jobs ask for: `exam_items` built from the
 * chunks in the prompt (each quoting a passage of its chunk verbatim, so the generator's support checks pass) and
 * `rubric_grade` for a short answer, streamed with the same pacing (a few characters per token).
 */
import { hashedBagOfWords } from "../../shared/rag/testing/hash_embedder.ts";

/** How the fake behaves for new requests. */
export type FakeModelMode = "ok" | "down" | "break";

/** A running fake model server. */
export interface FakeModel {
  /** Base URL to pass as `OPENAI_BASE_URL` (ends in `/v1`). */
  baseUrl: string;
  mode: FakeModelMode;
  /** Requests served, by kind. */
  counts: { stream: number; whole: number; embeddings: number; failed: number };
  close(): Promise<void>;
}

/** Starts the fake on a free port. */
export function startFakeModel(
  options: { firstTokenMs?: number; tokensPerSecond?: number; answerTokens?: number } = {},
): FakeModel {
  const firstTokenMs = options.firstTokenMs ?? 300;
  const tokenMs = 1000 / (options.tokensPerSecond ?? 30);
  const answerTokens = options.answerTokens ?? 40;
  const encoder = new TextEncoder();
  const state: FakeModel = {
    baseUrl: "",
    mode: "ok",
    counts: { stream: 0, whole: 0, embeddings: 0, failed: 0 },
    close: () => server.shutdown(),
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const error = (status: number, message: string) =>
    Response.json({ error: { message, type: "server_error", param: null, code: null } }, { status });

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const path = new URL(req.url).pathname;
    if (req.method !== "POST") return error(404, "Unknown route");
    const body = await req.json();
    if (path === "/v1/embeddings") {
      state.counts.embeddings++;
      const input: string[] = Array.isArray(body.input) ? body.input : [body.input];
      const dims = body.dimensions ?? 1536;
      return Response.json({
        object: "list",
        data: input.map((text, index) => ({
          object: "embedding",
          index,
          embedding: hashedBagOfWords(text, dims),
        })),
        model: body.model,
        usage: { prompt_tokens: input.length, total_tokens: input.length },
      });
    }
    if (path !== "/v1/chat/completions") return error(404, "Unknown route");
    if (state.mode === "down") {
      state.counts.failed++;
      return error(503, "The fake model is down");
    }
    const messages = body.messages as { role: string; content: string }[];
    const question = [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
    const schemaName: string | undefined = body.response_format?.json_schema?.name;
    const json = schemaName ? structuredAnswer(schemaName, question) : undefined;
    const words = question.split(/\s+/).filter(Boolean).slice(0, 12);
    // Sentences of eight words, each citing the first source, as a grounded answer reads; JSON in slices of 24
    // characters (a long exam answer then takes a second or two, as a model's would).
    const tokens = json !== undefined ? json.match(/[\s\S]{1,24}/g) ?? [] : Array.from(
      { length: answerTokens },
      (_, i) => `${words[i % Math.max(1, words.length)] ?? "answer"}${i % 8 === 7 ? " [1]. " : " "}`,
    );
    const id = `chatcmpl-fake${crypto.randomUUID().slice(0, 8)}`;
    const created = Math.floor(Date.now() / 1000);
    const usage = { prompt_tokens: 100, completion_tokens: tokens.length, total_tokens: 100 + tokens.length };
    if (!body.stream) {
      state.counts.whole++;
      await sleep(firstTokenMs);
      return Response.json({
        id,
        object: "chat.completion",
        created,
        model: body.model,
        choices: [{
          index: 0,
          message: { role: "assistant", content: tokens.join(""), refusal: null },
          finish_reason: "stop",
          logprobs: null,
        }],
        usage,
      });
    }
    state.counts.stream++;
    const breaking = state.mode === "break";
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      encoder.encode(
        `data: ${
          JSON.stringify({
            id,
            object: "chat.completion.chunk",
            created,
            model: body.model,
            choices,
            ...extra,
          })
        }\n\n`,
      );
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      cancel() {
        cancelled = true;
      },
      async start(controller) {
        try {
          await sleep(firstTokenMs);
          controller.enqueue(
            chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
          );
          for (const [i, token] of tokens.entries()) {
            if (cancelled) return;
            if (breaking && i === Math.floor(tokens.length / 2)) {
              state.counts.failed++;
              controller.error(new Error("the fake model broke off mid-stream"));
              return;
            }
            controller.enqueue(chunk([{ index: 0, delta: { content: token }, finish_reason: null }]));
            await sleep(tokenMs);
          }
          controller.enqueue(chunk([{ index: 0, delta: {}, finish_reason: "stop" }]));
          if (body.stream_options?.include_usage) controller.enqueue(chunk([], { usage }));
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
        } catch {
          // The client went away.
        }
      },
    });
    return new Response(stream, {
      headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
    });
  });
  state.baseUrl = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/v1`;
  return state;
}

/** The JSON the exam jobs ask for, or undefined for a schema this fake does not know. */
export function structuredAnswer(schemaName: string, prompt: string): string | undefined {
  if (schemaName === "rubric_grade") {
    return JSON.stringify({ score: 0.5, justification: "Partly matches the key.", confidence: 0.9 });
  }
  if (schemaName !== "exam_items") return undefined;
  const need = /Write (\d+) multiple_choice, (\d+) true_false and (\d+) short_answer items/.exec(prompt);
  const counts = need ? need.slice(1, 4).map(Number) : [0, 0, 0];
  // Facts already covered (a retry lists them): start past them so the new items test other passages.
  const covered = prompt.split("Course material:")[0].split("\n").filter((l) => l.startsWith("- ")).length;
  const seen = new Set<string>();
  const chunks: { id: string; tokens: string[] }[] = [];
  for (const m of prompt.matchAll(/<chunk id="([^"]+)"[^>]*>\n([\s\S]*?)\n<\/chunk>/g)) {
    const tokens = m[2].split(/\s+/).filter(Boolean);
    // The same PDF uploaded many times gives chunks of the same text: one of each.
    const key = tokens.join(" ");
    if (tokens.length < 6 || seen.has(key)) continue;
    seen.add(key);
    chunks.push({ id: m[1], tokens });
  }
  // Passages of eight words, four words apart, taken across the chunks before going further into any one.
  const windows: { id: string; tokens: string[] }[] = [];
  const longest = Math.max(0, ...chunks.map((c) => c.tokens.length));
  for (let offset = 0; offset + 8 <= longest; offset += 4) {
    for (const c of chunks) {
      if (offset + 8 <= c.tokens.length) {
        windows.push({ id: c.id, tokens: c.tokens.slice(offset, offset + 8) });
      }
    }
  }
  const types = ["multiple_choice", "true_false", "short_answer"] as const;
  const items = [];
  let k = covered;
  for (const [t, type] of types.entries()) {
    for (let n = 0; n < counts[t] && windows.length > 0; n++, k++) {
      const { id: chunkId, tokens: quoteTokens } = windows[k % windows.length];
      const quote = quoteTokens.join(" ");
      const word = quoteTokens.find((w) => /^[A-Za-z]{4,}$/.test(w)) ?? quoteTokens[0];
      const base = {
        type,
        question: `According to the material, what completes: "${quoteTokens.slice(0, 4).join(" ")} ..."?`,
        explanation: `The material says: ${quote}`,
        difficulty: "medium",
        chunkId,
        quote,
      };
      if (type === "multiple_choice") {
        items.push({ ...base, options: [word, "none of these", "all of these"], answerKey: word });
      } else if (type === "true_false") {
        items.push({
          ...base,
          question: `True or false: ${quote}`,
          options: ["True", "False"],
          answerKey: "True",
        });
      } else {
        items.push({ ...base, options: [], answerKey: word });
      }
    }
  }
  return JSON.stringify({ items });
}
