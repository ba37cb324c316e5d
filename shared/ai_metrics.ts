/**
 * The model, retrieval and chat metrics of docs/metrics-contract.md ("Tutor, retrieval and models"), which the
 * Grafana "AI" row and the LlmErrors / VectorStoreFallback alerts read. Registered once per registry (core and
 * workers each have one); emitted where the work happens.
 */
import client from "prom-client";

const LLM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 60, 120];

/** The AI metrics of one service's registry. */
export interface AiMetrics {
  llmDuration: client.Histogram<"provider" | "model" | "operation" | "outcome">;
  llmTimeToFirstToken: client.Histogram<"provider" | "model" | "operation">;
  llmTokens: client.Counter<"provider" | "model" | "operation" | "direction">;
  chatAnswerCache: client.Counter<"result">;
  chatQuotaExceeded: client.Counter<"scope">;
  retrievalDuration: client.Histogram<"store" | "mode">;
  retrievalVectorFallback: client.Counter<"reason">;
}

const byRegistry = new WeakMap<client.Registry, AiMetrics>();

/** The AI metrics registered on `registry` (created on first use, so every tier exports the same set). */
export function aiMetricsOf(registry: client.Registry): AiMetrics {
  let metrics = byRegistry.get(registry);
  if (metrics) return metrics;
  const registers = [registry];
  metrics = {
    llmDuration: new client.Histogram({
      name: "llm_request_duration_seconds",
      help: "One model call, start to last token, by provider, model, operation and outcome",
      labelNames: ["provider", "model", "operation", "outcome"] as const,
      buckets: LLM_BUCKETS,
      registers,
    }),
    llmTimeToFirstToken: new client.Histogram({
      name: "llm_time_to_first_token_seconds",
      help: "Streamed model calls: time to the first token",
      labelNames: ["provider", "model", "operation"] as const,
      buckets: LLM_BUCKETS,
      registers,
    }),
    llmTokens: new client.Counter({
      name: "llm_tokens_total",
      help: "Tokens as reported by the model provider, by direction (input, output)",
      labelNames: ["provider", "model", "operation", "direction"] as const,
      registers,
    }),
    chatAnswerCache: new client.Counter({
      name: "chat_answer_cache_total",
      help: "Tutor answer cache outcomes (hit, miss, skip = not cacheable)",
      labelNames: ["result"] as const,
      registers,
    }),
    chatQuotaExceeded: new client.Counter({
      name: "chat_quota_exceeded_total",
      help: "Chat turns refused because a daily quota ran out, by scope (role, course)",
      labelNames: ["scope"] as const,
      registers,
    }),
    retrievalDuration: new client.Histogram({
      name: "retrieval_duration_seconds",
      help: "One scoped search, fusion included, by vector store and mode (hybrid, fulltext)",
      labelNames: ["store", "mode"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    retrievalVectorFallback: new client.Counter({
      name: "retrieval_vector_fallback_total",
      help: "Searches answered from full text alone because the vector store failed, by reason",
      labelNames: ["reason"] as const,
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
