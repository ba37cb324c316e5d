/**
 * The learning summary of a session, generated on demand and cached in KV under a key naming the session's latest
 * message: any new message makes a new key, so the cached summary lives exactly until the session changes.
 */
import type { ScopedContext } from "../academics/context.ts";
import type { CoreServices } from "../services.ts";
import { OFFLINE_MODEL_ID } from "../../shared/tutor/model/offline.ts";
import { type LearningSummary, summarizeOffline, summarizeWithModel } from "../../shared/tutor/summary.ts";
import type { Citation, TutorTurn } from "../../shared/tutor/types.ts";
import { ownSession, sessionMessages } from "./sessions.ts";

// Long enough to be useful across a study evening; the key changes with the session anyway.
const SUMMARY_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** A session's summary and whether it came from the cache. */
export async function sessionSummary(
  ctx: ScopedContext,
  services: Pick<CoreServices, "kv" | "tutorModel" | "logger">,
  sessionId: string,
): Promise<{ summary: LearningSummary; cached: boolean }> {
  const session = await ownSession(ctx, sessionId);
  const messages = await sessionMessages(ctx, session.id);
  const last = messages.at(-1);
  const key = `chat:summary:v1:${session.id}:${messages.length}:${last?.id ?? "empty"}:${
    last?.updatedAt.getTime() ?? 0
  }`;
  const hit = await services.kv.get(key).catch(() => null);
  if (hit) return { summary: JSON.parse(hit) as LearningSummary, cached: true };
  const turns: TutorTurn[] = messages.filter((m) => m.status !== "failed").map((m) => ({
    role: m.role === "user" ? "student" : "tutor",
    text: m.content,
    citations: m.role === "assistant" ? m.citations as Citation[] : undefined,
    refused: m.role === "assistant" ? m.refusal !== null : undefined,
  }));
  const useModel = services.tutorModel.modelFor("summary") !== OFFLINE_MODEL_ID;
  const summary = useModel
    ? await summarizeWithModel(turns, { model: services.tutorModel, logger: services.logger })
    : summarizeOffline(turns);
  await ctx.audit({
    action: "tutor.summary",
    target: `chat_session:${session.id}`,
    metadata: { courseId: session.courseId, model: summary.generatedBy, messages: messages.length },
  });
  // A failing cache only costs a regeneration next time.
  await services.kv.set(key, JSON.stringify(summary), { ttlMs: SUMMARY_TTL_MS }).catch((error) =>
    services.logger.warn("summary cache store failed", { error: String(error) })
  );
  return { summary, cached: false };
}
