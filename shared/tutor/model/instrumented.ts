/**
 * A model wrapped with the contract's model metrics: every call's duration and outcome, the time to its first
 * token, and the tokens the provider reported (the offline tutor counts characters, which are not tokens, so it
 * reports none).
 */
import type client from "prom-client";
import { aiMetricsOf } from "../../ai_metrics.ts";
import { AppError, ErrorCode } from "../../errors.ts";
import type { GenerationRequest, ModelEvent, ModelTask, TutorModel } from "./interface.ts";

/** The contract's `operation` label of a task. */
const OPERATION: Record<ModelTask, string> = {
  chat: "chat",
  summary: "summary",
  "exam-gen": "exam",
  grading: "grade",
};

function outcomeOf(err: unknown): "error" | "timeout" {
  return err instanceof AppError && err.code === ErrorCode.TIMEOUT ? "timeout" : "error";
}

/** Wraps `model` so its calls are measured on `registry` under `provider` (`openai`, `offline`). */
export function instrumentTutorModel(
  model: TutorModel,
  registry: client.Registry,
  provider: string,
): TutorModel {
  const metrics = aiMetricsOf(registry);
  return {
    modelFor: (task) => model.modelFor(task),
    get usesHistory() {
      return model.usesHistory;
    },
    async *stream(request: GenerationRequest): AsyncIterable<ModelEvent> {
      const labels = { provider, model: model.modelFor(request.task), operation: OPERATION[request.task] };
      const started = performance.now();
      let firstToken = true;
      let outcome: "ok" | "error" | "timeout" = "ok";
      try {
        for await (const event of model.stream(request)) {
          if (event.type === "token" && firstToken) {
            firstToken = false;
            metrics.llmTimeToFirstToken.observe(labels, (performance.now() - started) / 1000);
          }
          if (event.type === "usage" && event.usage.unit === "tokens") {
            metrics.llmTokens.inc({ ...labels, direction: "input" }, event.usage.input);
            metrics.llmTokens.inc({ ...labels, direction: "output" }, event.usage.output);
          }
          yield event;
        }
      } catch (err) {
        outcome = outcomeOf(err);
        throw err;
      } finally {
        metrics.llmDuration.observe({ ...labels, outcome }, (performance.now() - started) / 1000);
      }
    },
  };
}
