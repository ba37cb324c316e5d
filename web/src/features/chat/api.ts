/** The chat feature's API calls: sessions, their messages, today's usage, and one streamed turn. */
import { useQuery } from "@tanstack/preact-query";
import { api, ApiError, type Schemas, unwrap } from "../../lib/api.ts";
import { dispatchTurnEvents, type TurnHandlers } from "./turn_events.ts";

export type { TurnHandlers };

/** A stored chat message. */
export type ChatMessage = Schemas["ChatMessage"];
/** One source an answer cites. */
export type Citation = Schemas["Citation"];

/** The user's past conversations in a course, newest first. */
export function useChatSessions(courseId: string) {
  return useQuery({
    queryKey: ["chat", "sessions", courseId],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/chat/sessions", { params: { query: { courseId } } })).items,
  });
}

/** One conversation with its messages. */
export function useChatSession(sessionId: string | undefined) {
  return useQuery({
    queryKey: ["chat", "session", sessionId],
    enabled: Boolean(sessionId),
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/chat/sessions/{id}", { params: { path: { id: sessionId! } } })),
  });
}

/** Questions the user asked today (UTC), all courses together: what the daily quota counts. */
export function useTurnsToday() {
  return useQuery({
    queryKey: ["usage", "today"],
    queryFn: async () => {
      const today = new Date().toISOString().slice(0, 10);
      const report = unwrap(
        await api.GET("/api/v1/usage", { params: { query: { from: today, to: today } } }),
      );
      return report.rows.reduce((sum, row) => sum + row.turns, 0);
    },
  });
}

/** The student's questions left today in the course of a conversation (null fields: no quota applies). */
export function useQuotaLeft(sessionId: string | undefined) {
  return useQuery({
    queryKey: ["usage", "quota", sessionId],
    enabled: sessionId !== undefined,
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/chat/sessions/{id}/quota", { params: { path: { id: sessionId! } } }),
      ),
  });
}

/** Starts a conversation in a course. */
export async function createChatSession(courseId: string, title: string) {
  return unwrap(await api.POST("/api/v1/chat/sessions", { body: { courseId, title } }));
}

/**
 * Asks the tutor in `sessionId` and streams the answer (SSE: `token`, `citations`, `done`, `error`). Validation
 * problems and a busy tutor (503) arrive before the stream as an ordinary error; quota and scope problems arrive
 * as the stream's `error` event before the question is stored (no `userMessageId`). Both are thrown as `ApiError`,
 * so the question stays in the box; an error after the question was stored is a failed turn (`onError`).
 */
export async function streamTurn(
  sessionId: string,
  content: string,
  handlers: TurnHandlers,
  signal: AbortSignal,
): Promise<void> {
  const { data, error, response } = await api.POST("/api/v1/chat/sessions/{id}/messages", {
    params: { path: { id: sessionId } },
    body: { content },
    headers: { accept: "text/event-stream" },
    parseAs: "stream",
    signal,
  });
  if (!response.ok || !data) {
    const body = (error as { error?: { code: string; message: string; details?: unknown } } | undefined)
      ?.error;
    throw new ApiError(
      response.status,
      body ?? { code: `HTTP_${response.status}`, message: response.statusText },
    );
  }
  await dispatchTurnEvents(data as ReadableStream<Uint8Array>, handlers);
}
