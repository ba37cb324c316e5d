/** One message of a conversation: the student's question, or the tutor's answer with its sources as chips. */
import { useEffect, useMemo, useState } from "preact/hooks";
import type { MessageKey } from "../../i18n/en.ts";
import { useI18n } from "../../lib/i18n.tsx";
import type { ChatMessage, Citation } from "./api.ts";
import { hasMath, loadKatex, renderMarkdown } from "./markdown.ts";

/** A message as the screen shows it: a stored one, or one still being written. */
export type ShownMessage =
  & Pick<ChatMessage, "id" | "role" | "content" | "citations" | "refusal" | "cached">
  & {
    status: ChatMessage["status"] | "streaming";
    error?: string | null;
  };

const REFUSALS = new Set(["not_found", "off_topic", "exam_lockout", "abuse", "prompt_injection"]);

/** Shows one message; `onOpenCitation` opens a source, `onRetry` asks the question again. */
export function MessageView(
  props: { message: ShownMessage; onOpenCitation(c: Citation): void; onRetry?: () => void },
) {
  const { t } = useI18n();
  const { message } = props;
  const [mathReady, setMathReady] = useState(false);
  const math = message.role === "assistant" && hasMath(message.content);
  useEffect(() => {
    if (math && !mathReady) loadKatex().then(() => setMathReady(true));
  }, [math, mathReady]);
  const html = useMemo(
    () => message.role === "assistant" ? renderMarkdown(message.content) : "",
    [message.content, message.role, mathReady],
  );
  const [copied, setCopied] = useState(false);
  const refusal = message.refusal && REFUSALS.has(message.refusal) ? message.refusal : null;

  if (message.role === "user") {
    return (
      <li class="message user">
        <p class="who">{t("chat.you")}</p>
        <p class="text" dir="auto">{message.content}</p>
      </li>
    );
  }
  return (
    <li class={`message assistant${refusal ? " refusal" : ""}`} aria-busy={message.status === "streaming"}>
      <p class="who">{t("chat.tutor")}</p>
      {refusal && <p class="refusal-label">{t(`chat.refusal.${refusal}` as MessageKey)}</p>}
      {/* Sanitised by renderMarkdown (DOMPurify) before it gets here. */}
      <div class="text markdown" dir="auto" dangerouslySetInnerHTML={{ __html: html }} />
      {message.status === "streaming" && message.content === "" && (
        <p class="muted" role="status">{t("chat.thinking")}</p>
      )}
      {message.status === "interrupted" && <p class="muted">{t("chat.interrupted")}</p>}
      {message.status === "failed" && (
        <p class="notice error" role="alert">{t("chat.failed", { message: message.error ?? "" })}</p>
      )}
      {message.citations.length > 0 && (
        <div class="sources">
          <p class="sources-label">{t("chat.sources")}</p>
          <ul class="chips">
            {message.citations.map((c) => (
              <li key={c.chunkId}>
                <button
                  type="button"
                  class="chip"
                  aria-label={c.page
                    ? t("chat.citation", { index: c.index, title: c.documentTitle, page: c.page })
                    : t("chat.citationNoPage", { index: c.index, title: c.documentTitle })}
                  onClick={() => props.onOpenCitation(c)}
                >
                  <span aria-hidden="true">[{c.index}]</span> <span dir="auto">{c.documentTitle}</span>
                  {c.page
                    ? <span aria-hidden="true">{` · ${t("viewer.page", { page: c.page })}`}</span>
                    : null}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {message.status !== "streaming" && (
        <div class="message-actions">
          {message.content && (
            <button
              type="button"
              class="quiet"
              onClick={async () => {
                await navigator.clipboard?.writeText(message.content);
                setCopied(true);
              }}
            >
              {copied ? t("chat.copied") : t("chat.copy")}
            </button>
          )}
          {props.onRetry && (message.status === "failed" || message.status === "interrupted") && (
            <button type="button" class="quiet" onClick={props.onRetry}>{t("chat.retry")}</button>
          )}
        </div>
      )}
      {message.cached && <p class="muted small">{t("chat.cached")}</p>}
    </li>
  );
}
