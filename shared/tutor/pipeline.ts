import type { KvStore } from "../kv/interface.ts";
import type { Logger } from "../logger.ts";
import { type CachedAnswer, lookupAnswer, storeAnswer } from "./answer_cache.ts";
import { answerCacheKey, isCacheable } from "./cache_key.ts";
import type { ExamLockout } from "./exam_lockout/interface.ts";
import { DEFAULT_GROUNDEDNESS_THRESHOLD, type GroundednessOptions } from "./groundedness.ts";
import { detectIntent, type IntentDecision } from "./intent.ts";
import { detectLanguage } from "./language.ts";
import {
  guidingQuestions,
  offlinePreface,
  otherLanguageMessage,
  refusalMessage,
  type RefusalReason,
} from "./messages.ts";
import type { ModelUsage, TutorModel } from "./model/interface.ts";
import { neutralizeDocumentText } from "./injection.ts";
import { buildGroundedPrompt, type BuiltPrompt } from "./prompt.ts";
import type { RetrievalResult, Retriever } from "./retriever/interface.ts";
import { type GateReport, SentenceGate } from "./sentence_gate.ts";
import { elapsed, StepLog, type StepRecord } from "./steps.ts";
import { CitationNumbering, detectAnswerLanguage, toCitations } from "./answer.ts";
import type {
  AnswerPolicy,
  Citation,
  TurnUsage,
  TutorIntent,
  TutorLanguage,
  TutorScope,
  TutorTurn,
} from "./types.ts";

/** What the tutor needs, injected once. */
export interface TutorDeps {
  retriever: Retriever;
  model: TutorModel;
  examLockout: ExamLockout;
  logger: Logger;
  /** Final-answer cache; absent, nothing is cached. */
  cache?: KvStore;
  /** Chunks retrieved per question (default 6). */
  k?: number;
  groundedness?: Pick<GroundednessOptions, "mode" | "threshold">;
}

/** One student question in a session. */
export interface TutorTurnInput {
  /** The session's course: passed to the retriever unchanged, never widened. */
  scope: TutorScope;
  question: string;
  /** Earlier turns of the session, oldest first; the prompt keeps the last ten. */
  history: TutorTurn[];
  policy: AnswerPolicy;
  preferredLanguage?: TutorLanguage;
  /** The course corpus version; without it answers are not cached. */
  corpusVersion?: string | number;
  courseTitle?: string;
  signal?: AbortSignal;
}

/** The finished turn, ready to persist. */
export interface TutorTurnResult {
  answer: string;
  citations: Citation[];
  intent: TutorIntent;
  language: TutorLanguage;
  /** Why nothing was answered from the material, when it was not. */
  refusal: RefusalReason | null;
  examId?: string;
  usage: TurnUsage;
  /** Sentences the groundedness check dropped (or flagged). */
  unsupported: string[];
  degraded?: string;
  cached: boolean;
  /** Whether this answer may be stored in the answer cache (already done when a cache is configured). */
  cacheable: boolean;
  /** Whether the answer was cut short by the caller's abort signal. */
  interrupted: boolean;
  steps: StepRecord[];
}

/** What `streamTutorTurn` yields: checked answer pieces, then the citations, then the whole turn. */
export type TutorEvent =
  | { type: "token"; text: string }
  | { type: "citations"; citations: Citation[] }
  | { type: "done"; turn: TutorTurnResult };

/**
 * Runs one turn through the pipeline: language, guardrails, scoped retrieval, grounded prompt, generation, sentence
 * by sentence groundedness, answer in the student's language. Pieces are released only after their sentence passed
 * the groundedness check, so a streamed answer never shows a sentence the final one drops.
 *
 * The steps, in order: `prepareTurn` (language, intent, cache key), a refusal or a cached answer when one applies,
 * `retrieveMaterial` (scoped chunks and the prompt), `streamGroundedAnswer` (generation through the sentence gate),
 * `storeTurn` (refusal fallback, citations, usage, answer cache, the finished turn).
 */
export async function* streamTutorTurn(deps: TutorDeps, input: TutorTurnInput): AsyncGenerator<TutorEvent> {
  const turn = await prepareTurn(deps, input);
  if (turn.intent.intent !== "course_question") {
    yield* refuseOffCourse(input, turn);
    return;
  }
  const hit = deps.cache && turn.cacheKey ? await lookupAnswer(deps.cache, turn.cacheKey, turn.steps) : null;
  if (hit) {
    yield* replayCachedAnswer(turn, hit);
    return;
  }
  const material = await retrieveMaterial(deps, input, turn);
  if (material.chunks.length === 0) {
    yield* answerNotFound(deps, input, turn, material);
    return;
  }
  const generated = yield* streamGroundedAnswer(deps, input, turn, material);
  yield* storeTurn(deps, input, turn, material, generated);
}

/** What the steps of one turn share once the question is understood. */
interface PreparedTurn {
  started: number;
  steps: StepLog;
  language: TutorLanguage;
  intent: IntentDecision;
  /** Whether the model sees earlier turns (then the answer depends on them and is not cached). */
  historyUsed: boolean;
  /** The answer cache key, when this turn may use the cache. */
  cacheKey: string | null;
  /** The finished turn from the fields a path sets; the rest take their defaults. */
  finish(fields: Partial<TutorTurnResult> & Pick<TutorTurnResult, "answer" | "usage">): TutorTurnResult;
}

/** Step "prepare": the question's language and intent, and the answer cache key. */
async function prepareTurn(deps: TutorDeps, input: TutorTurnInput): Promise<PreparedTurn> {
  const started = performance.now();
  const steps = new StepLog(deps.logger.child({ courseId: input.scope.courseId }));
  const { language } = await steps.run(
    "language",
    () => detectLanguage(input.question, input.preferredLanguage),
    (d) => ({ outcome: d.language, source: d.source }),
  );
  const intent = await steps.run(
    "intent",
    () => detectIntent(input.question, { courseId: input.scope.courseId, examLockout: deps.examLockout }),
    (d) => ({ outcome: d.intent, ...(d.examId ? { examId: d.examId, reason: d.reason } : {}) }),
  );
  const base = { intent: intent.intent, language, examId: intent.examId, steps: steps.records };
  const historyUsed = deps.model.usesHistory && input.history.length > 0;
  const cacheKey = intent.intent === "course_question" && deps.cache && input.corpusVersion !== undefined &&
      !historyUsed
    ? await answerCacheKey({ ...input.scope, ...input, language, corpusVersion: input.corpusVersion })
    : null;
  return {
    started,
    steps,
    language,
    intent,
    historyUsed,
    cacheKey,
    finish: (fields) => ({
      citations: [],
      refusal: null,
      unsupported: [],
      cached: false,
      cacheable: false,
      interrupted: false,
      ...base,
      ...fields,
    }),
  };
}

/** A question that is not about the course (greeting, exam help during an exam, ...): the refusal, no model. */
async function* refuseOffCourse(input: TutorTurnInput, turn: PreparedTurn): AsyncGenerator<TutorEvent> {
  const refusal = turn.intent.intent as Exclude<TutorIntent, "course_question">;
  const answer = refusalMessage(refusal, turn.language);
  yield { type: "token", text: answer };
  const usage = offlineUsage(input.question.length, answer.length, turn.started, turn.started);
  yield { type: "done", turn: turn.finish({ answer, refusal, usage }) };
}

/** The same question on the same corpus was answered before: that answer, as it was. */
async function* replayCachedAnswer(turn: PreparedTurn, hit: CachedAnswer): AsyncGenerator<TutorEvent> {
  yield { type: "token", text: hit.answer };
  yield { type: "citations", citations: hit.citations };
  const usage = { ...offlineUsage(0, 0, turn.started, turn.started), model: hit.model, cached: true };
  yield {
    type: "done",
    turn: turn.finish({ answer: hit.answer, citations: hit.citations, usage, cached: true }),
  };
}

/** What retrieval found for the question, defused, and the prompt built on it. */
interface Material {
  retrieval: RetrievalResult;
  chunks: RetrievalResult["chunks"];
  prompt: BuiltPrompt;
}

/** Step "retrieve": the course's chunks for the question (never another course's), defused, and the prompt. */
async function retrieveMaterial(
  deps: TutorDeps,
  input: TutorTurnInput,
  turn: PreparedTurn,
): Promise<Material> {
  const { steps, language } = turn;
  const k = deps.k ?? 6;
  const retrieval = await steps.run(
    "retrieval",
    () =>
      deps.retriever.retrieve({
        scope: input.scope,
        query: input.question,
        k,
        language,
        signal: input.signal,
      }),
    (r) => ({
      outcome: r.chunks.length > 0 ? "found" : "empty",
      chunks: r.chunks.length,
      degraded: r.degraded,
    }),
  );
  // Defence in depth: a retriever bug must not leak another course's material into this session.
  const scoped = retrieval.chunks.filter((c) =>
    c.courseId === undefined || c.courseId === input.scope.courseId
  );
  if (scoped.length < retrieval.chunks.length) {
    deps.logger.error("retriever returned chunks outside the session scope", {
      courseId: input.scope.courseId,
      dropped: retrieval.chunks.length - scoped.length,
    });
  }

  // Material is defused once, here: the prompt, the offline tutor and the groundedness check all see the same text,
  // so an instruction inside a document can neither steer the model nor vouch for a sentence that obeys it.
  let neutralized = 0;
  const chunks = scoped.map((chunk) => {
    const safe = neutralizeDocumentText(chunk.text);
    neutralized += safe.removed;
    return safe.removed === 0 ? chunk : { ...chunk, text: safe.text };
  });
  const prompt = await steps.run(
    "prompt",
    () => buildGroundedPrompt({ ...input, chunks, language }),
    (p) => ({ outcome: "built", neutralized, historyTurns: p.historyTurns }),
  );
  return { retrieval, chunks, prompt };
}

/** Nothing in the course matches: no model call can produce a grounded answer, so none is paid for. */
async function* answerNotFound(
  deps: TutorDeps,
  input: TutorTurnInput,
  turn: PreparedTurn,
  material: Material,
): AsyncGenerator<TutorEvent> {
  turn.steps.record({
    step: "generation",
    durationMs: 0,
    outcome: "skipped",
    model: deps.model.modelFor("chat"),
  });
  const answer = await notFoundMessage(deps, input.scope, turn.language);
  yield { type: "token", text: answer };
  const usage = offlineUsage(input.question.length, answer.length, turn.started, turn.started);
  yield {
    type: "done",
    turn: turn.finish({ answer, refusal: "not_found", usage, degraded: material.retrieval.degraded }),
  };
}

/** How generation went: the gate's verdicts and what the model reported. */
interface Generated {
  report: GateReport;
  modelUsage: ModelUsage | null;
  modelRefused: boolean;
  interrupted: boolean;
  /** Characters the model wrote (before the gate). */
  rawLength: number;
  firstTokenAt: number | null;
}

/**
 * Step "answer": streams the model's answer through the sentence gate, yielding each piece once its sentence passed
 * the groundedness check (citations renumbered from [1]); stops at the caller's abort.
 */
async function* streamGroundedAnswer(
  deps: TutorDeps,
  input: TutorTurnInput,
  turn: PreparedTurn,
  material: Material,
): AsyncGenerator<TutorEvent, Generated> {
  const { steps, language } = turn;
  const { chunks, prompt } = material;
  const framing = [offlinePreface(input.policy, language), ...guidingQuestions(language)];
  const gate = new SentenceGate(chunks, {
    ...deps.groundedness,
    framing,
    threshold: deps.groundedness?.threshold ?? DEFAULT_GROUNDEDNESS_THRESHOLD,
  });
  const numbering = new CitationNumbering(chunks.length);
  const generationStarted = performance.now();
  let firstTokenAt: number | null = null;
  let modelUsage: ModelUsage | null = null;
  let modelRefused = false;
  let interrupted = false;
  let rawLength = 0;
  try {
    for await (
      const event of deps.model.stream({
        task: "chat",
        messages: prompt.messages,
        grounding: { question: input.question, chunks, policy: input.policy, language },
        signal: input.signal,
      })
    ) {
      if (event.type === "usage") modelUsage = event.usage;
      else if (event.type === "refusal") modelRefused = true;
      else {
        firstTokenAt ??= performance.now();
        rawLength += event.text.length;
        for (const piece of gate.push(event.text)) yield { type: "token", text: numbering.apply(piece) };
      }
      if (input.signal?.aborted) {
        interrupted = true;
        break;
      }
    }
  } catch (error) {
    steps.record({ step: "generation", durationMs: elapsed(generationStarted), outcome: "error", error });
    throw error;
  }
  // The model may also end quietly on abort, between two events.
  if (input.signal?.aborted) interrupted = true;
  for (const piece of gate.end()) yield { type: "token", text: numbering.apply(piece) };
  steps.record({
    step: "generation",
    durationMs: elapsed(generationStarted),
    outcome: interrupted ? "interrupted" : modelRefused ? "refused" : "answered",
    model: deps.model.modelFor("chat"),
    characters: rawLength,
  });
  const report = gate.report();
  steps.record({
    step: "groundedness",
    durationMs: report.checkMs,
    outcome: report.unsupported.length === 0 ? "grounded" : "dropped",
    claims: report.supportedClaims,
    unsupported: report.unsupported.length,
  });
  return { report, modelUsage, modelRefused, interrupted, rawLength, firstTokenAt };
}

/**
 * Step "store": the answer as shown (or the not-found message when nothing supported survived), its citations and
 * usage; a cacheable answer goes into the answer cache; then the finished turn.
 */
async function* storeTurn(
  deps: TutorDeps,
  input: TutorTurnInput,
  turn: PreparedTurn,
  material: Material,
  generated: Generated,
): AsyncGenerator<TutorEvent> {
  const { steps, language, started } = turn;
  const { chunks, prompt, retrieval } = material;
  const { report, modelUsage, modelRefused, interrupted, rawLength, firstTokenAt } = generated;
  // The released pieces were renumbered one by one; the same numbering applied to the whole text gives the same.
  const shown = new CitationNumbering(chunks.length);
  let answer = shown.apply(report.text);
  let refusal: RefusalReason | null = null;
  const nothingLeft = report.supportedClaims === 0 && (report.unsupported.length > 0 || report.text === "");
  if (modelRefused || (nothingLeft && !interrupted)) {
    // Nothing the material supports survived: say so instead of showing framing around nothing.
    refusal = "not_found";
    answer = await notFoundMessage(deps, input.scope, language);
    if (!report.released) yield { type: "token", text: answer };
    else yield { type: "token", text: `\n\n${answer}` };
    if (report.released) answer = `${shown.apply(report.text)}\n\n${answer}`;
  }
  const citations = refusal ? [] : toCitations(answer, shown.chunks(chunks));
  if (citations.length > 0) yield { type: "citations", citations };

  const answerLanguage = detectAnswerLanguage(answer, language);
  steps.record({
    step: "answer_language",
    durationMs: 0,
    outcome: answerLanguage === language ? "match" : "mismatch",
  });

  const usage: TurnUsage = modelUsage
    ? {
      model: deps.model.modelFor("chat"),
      unit: modelUsage.unit,
      input: modelUsage.input,
      output: modelUsage.output,
      latencyMs: elapsed(started),
      firstTokenMs: firstTokenAt === null ? null : Math.round(firstTokenAt - started),
      cached: false,
    }
    : {
      ...offlineUsage(
        prompt.messages.reduce((s, m) => s + m.content.length, 0),
        rawLength,
        started,
        firstTokenAt,
      ),
      model: deps.model.modelFor("chat"),
    };
  const cacheable = isCacheable({
    intent: turn.intent.intent,
    question: input.question,
    refused: refusal !== null,
    historyUsed: turn.historyUsed,
    degraded: retrieval.degraded !== undefined,
    citations: citations.length,
    unsupportedDropped: report.unsupported.length,
  }) && !interrupted;
  if (cacheable && deps.cache && turn.cacheKey) {
    await storeAnswer(deps.cache, turn.cacheKey, { answer, citations, model: usage.model }, steps);
  }
  yield {
    type: "done",
    turn: turn.finish({
      answer,
      citations,
      refusal,
      usage,
      unsupported: report.unsupported,
      degraded: retrieval.degraded,
      cacheable,
      interrupted,
    }),
  };
}

/** Runs a turn to the end and returns it (the JSON, non-streaming path). */
export async function answerTutorTurn(deps: TutorDeps, input: TutorTurnInput): Promise<TutorTurnResult> {
  for await (const event of streamTutorTurn(deps, input)) {
    if (event.type === "done") return event.turn;
  }
  throw new Error("Tutor pipeline ended without a result");
}

function offlineUsage(
  input: number,
  output: number,
  started: number,
  firstTokenAt: number | null,
): TurnUsage {
  return {
    model: "none",
    unit: "characters",
    input,
    output,
    latencyMs: elapsed(started),
    firstTokenMs: firstTokenAt === null ? null : Math.round(firstTokenAt - started),
    cached: false,
  };
}

/**
 * The "not found" message, saying so when the course's material is all in the other language and retrieval cannot
 * cross languages. The check is a courtesy: if it fails, the plain message is given and the failure logged.
 */
async function notFoundMessage(deps: TutorDeps, scope: TutorScope, language: TutorLanguage): Promise<string> {
  try {
    if (await deps.retriever.languageGap?.(scope, language)) return otherLanguageMessage(language);
  } catch (error) {
    deps.logger.warn("material language check failed", { error: String(error) });
  }
  return refusalMessage("not_found", language);
}
