/**
 * The tutor chat of one course: past conversations, the conversation with answers streamed token by token,
 * a stop button while the tutor writes, the day's usage, and the sources of each answer.
 */
import { useQueryClient } from "@tanstack/preact-query";
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorNotice } from "../../components/ui.tsx";
import { ApiError } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import {
  type Citation,
  createChatSession,
  streamTurn,
  useChatSession,
  useChatSessions,
  useQuotaLeft,
  useTurnsToday,
} from "./api.ts";
import { CitationViewer } from "./citation_viewer.tsx";
import { LearningSummaryView } from "./learning_summary.tsx";
import { MessageView, type ShownMessage } from "./message.tsx";

const draftKey = (courseId: string) => `aiteacher.draft.${courseId}`;

/** The chat panel of course `courseId`. */
export function ChatPanel(props: { courseId: string }) {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const sessions = useChatSessions(props.courseId);
  const [sessionId, setSessionId] = useState<string | undefined>(undefined);
  const session = useChatSession(sessionId);
  const turnsToday = useTurnsToday();
  const quotaLeft = useQuotaLeft(sessionId);
  const [live, setLive] = useState<ShownMessage[]>([]);
  const [draft, setDraft] = useState(() => sessionStorage.getItem(draftKey(props.courseId)) ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [opened, setOpened] = useState<Citation | null>(null);
  const abort = useRef<AbortController | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => sessionStorage.setItem(draftKey(props.courseId), draft), [draft, props.courseId]);
  useEffect(() => () => abort.current?.abort(), []);

  const stored: ShownMessage[] = session.data?.messages ?? [];
  // The turn just streamed stays on screen until the stored conversation has it (matched by the ids `done` gave).
  const storedIds = new Set(stored.map((m) => m.id));
  const shown = [...stored, ...live.filter((m) => !storedIds.has(m.id))];
  // Keep the newest message in view as it arrives (and when a past conversation opens).
  const newest = shown.at(-1);
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: "nearest" });
  }, [shown.length, newest?.content.length, newest?.status]);

  async function ask(question: string) {
    if (!question.trim() || busy) return;
    performance.clearMarks();
    performance.mark("chat:send");
    setBusy(true);
    setError(null);
    const controller = new AbortController();
    abort.current = controller;
    let userMessage: ShownMessage = {
      id: `local-q-${Date.now()}`,
      role: "user",
      content: question,
      citations: [],
      refusal: null,
      cached: false,
      status: "complete",
    };
    let answer: ShownMessage = {
      ...userMessage,
      id: `local-a-${Date.now()}`,
      role: "assistant",
      content: "",
      status: "streaming",
    };
    const update = (patch: Partial<ShownMessage>) => {
      answer = { ...answer, ...patch };
      setLive([userMessage, answer]);
    };
    setLive([userMessage, answer]);
    let firstToken = true;
    try {
      let id = sessionId;
      if (!id) {
        id = (await createChatSession(props.courseId, question.slice(0, 80))).id;
        setSessionId(id);
      }
      setDraft("");
      await streamTurn(id, question, {
        onToken: (text) => {
          update({ content: answer.content + text });
          if (firstToken) {
            firstToken = false;
            requestAnimationFrame(() => performance.mark("chat:first-token"));
          }
        },
        onCitations: (citations) => update({ citations }),
        onDone: (done) => {
          userMessage = { ...userMessage, id: done.userMessageId };
          update({ id: done.messageId, status: done.status, refusal: done.refusal, cached: done.cached });
        },
        onError: (e) => update({ status: "failed", error: e.message }),
      }, controller.signal);
      await queryClient.invalidateQueries({ queryKey: ["chat"] });
    } catch (err) {
      if (controller.signal.aborted) {
        update({ status: "interrupted" });
      } else if (answer.content) {
        // The answer had started: keep what arrived and say it broke off.
        update({ status: "failed", error: err instanceof Error ? err.message : String(err) });
      } else {
        setLive([]);
        setDraft(question);
        setError(err);
      }
    } finally {
      performance.mark("chat:done");
      setBusy(false);
      abort.current = null;
      queryClient.invalidateQueries({ queryKey: ["usage"] });
    }
  }

  const quota = error instanceof ApiError && error.body.code === "QUOTA_EXCEEDED"
    ? (error.body.details as { resetsAt?: string } | undefined)
    : undefined;

  return (
    <div class="chat">
      <aside class="chat-sessions" aria-labelledby="sessions-title">
        <h2 id="sessions-title">{t("chat.sessions")}</h2>
        <button
          type="button"
          onClick={() => {
            setSessionId(undefined);
            setLive([]);
            input.current?.focus();
          }}
        >
          {t("chat.newSession")}
        </button>
        {sessions.data?.length === 0 && <p class="muted">{t("chat.noSessions")}</p>}
        <ul>
          {sessions.data?.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                class="quiet session-link"
                aria-current={s.id === sessionId ? "true" : undefined}
                onClick={() => {
                  setLive([]);
                  setSessionId(s.id);
                }}
                dir="auto"
              >
                {s.title}
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <div class="chat-main">
        <h2 class="visually-hidden">{t("chat.title")}</h2>
        {shown.length === 0 && <p class="muted">{t("chat.empty")}</p>}
        {sessionId && stored.length > 0 && (
          <LearningSummaryView key={sessionId} sessionId={sessionId} onOpenCitation={setOpened} />
        )}
        <ol ref={list} class="messages" aria-live="polite" aria-relevant="additions">
          {shown.map((m, i) => (
            <MessageView
              key={m.id}
              message={m}
              onOpenCitation={setOpened}
              onRetry={m.role === "assistant" && i > 0 ? () => ask(shown[i - 1].content) : undefined}
            />
          ))}
        </ol>
        {quota
          ? (
            <p class="notice error" role="alert">
              {t("chat.quotaExceeded", {
                time: new Date(quota.resetsAt ?? Date.now()).toLocaleTimeString(language, {
                  timeStyle: "short",
                }),
              })}
            </p>
          )
          : <ErrorNotice error={error} />}
        <form
          class="composer"
          onSubmit={(e) => {
            e.preventDefault();
            ask(draft);
          }}
        >
          <label for="chat-input">{t("chat.input")}</label>
          <textarea
            id="chat-input"
            ref={input}
            dir="auto"
            rows={3}
            maxLength={4000}
            value={draft}
            placeholder={t("chat.placeholder")}
            onInput={(e) => setDraft(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                ask(draft);
              }
            }}
          />
          <div class="composer-actions">
            {quotaLeft.data?.remaining != null
              ? (
                <p class="muted small" role="status">
                  {t("chat.quotaLeft", {
                    remaining: quotaLeft.data.remaining,
                    limit: quotaLeft.data.limit ?? 0,
                  })}
                </p>
              )
              : turnsToday.data !== undefined && (
                <p class="muted small" role="status">{t("chat.usedToday", { count: turnsToday.data })}</p>
              )}
            {busy
              ? <button type="button" onClick={() => abort.current?.abort()}>{t("chat.stop")}</button>
              : <button type="submit" class="primary" disabled={!draft.trim()}>{t("chat.send")}</button>}
          </div>
        </form>
      </div>
      <CitationViewer citation={opened} onClose={() => setOpened(null)} />
    </div>
  );
}
