/**
 * FAKE OPENAI EMBEDDINGS SERVER, for tests only (OpenAI cannot be reached from these machines). Speaks
 * `POST /v1/embeddings` as OpenAI does: bearer auth, `input` as a string or an array, `dimensions`,
 * `encoding_format` float or base64, answers `{object: "list", data: [{object, index, embedding}], model, usage}`
 * and OpenAI-shaped errors. Vectors are deterministic hashed bags of words, so texts sharing words are close.
 * It can fail the next N requests with a given status to exercise the client's retries.
 */
import { hashedBagOfWords } from "./hash_embedder.ts";

/** A running fake embeddings server. */
export interface FakeOpenAi {
  /** Base URL to pass as `OPENAI_BASE_URL` (ends in `/v1`). */
  baseUrl: string;
  /** Bodies of the embedding requests received. */
  requests: { model: string; input: string[]; dimensions?: number }[];
  /** Fails the next `count` requests with `status`. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

/** Starts the fake on a free port; requests must carry `Authorization: Bearer <apiKey>`. */
export function startFakeOpenAi(options: { apiKey: string; defaultDimensions?: number }): FakeOpenAi {
  const requests: FakeOpenAi["requests"] = [];
  const failures = { count: 0, status: 500 };
  const error = (status: number, message: string, type: string) =>
    Response.json({ error: { message, type, param: null, code: null } }, { status });

  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.headers.get("authorization") !== `Bearer ${options.apiKey}`) {
      return error(401, "Incorrect API key provided.", "invalid_request_error");
    }
    if (req.method !== "POST" || url.pathname !== "/v1/embeddings") {
      return error(404, `Unknown request URL: ${req.method} ${url.pathname}.`, "invalid_request_error");
    }
    const body = await req.json();
    const input: string[] = Array.isArray(body.input) ? body.input : [body.input];
    requests.push({ model: body.model, input, dimensions: body.dimensions });
    if (failures.count > 0) {
      failures.count--;
      return error(failures.status, "The server had an error while processing your request.", "server_error");
    }
    const dims = body.dimensions ?? options.defaultDimensions ?? 1536;
    const data = input.map((text, index) => {
      const vector = hashedBagOfWords(text, dims);
      const embedding = body.encoding_format === "base64"
        ? btoa(String.fromCharCode(...new Uint8Array(new Float32Array(vector).buffer)))
        : vector;
      return { object: "embedding", index, embedding };
    });
    const tokens = input.reduce((n, t) => n + t.split(/\s+/).length, 0);
    return Response.json({
      object: "list",
      data,
      model: body.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });

  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}/v1`,
    requests,
    failNext(count, status) {
      failures.count = count;
      failures.status = status;
    },
    close: () => server.shutdown(),
  };
}
