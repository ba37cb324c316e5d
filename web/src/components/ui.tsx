/** Small shared pieces of UI: a labelled field, a status line, an error notice, a loading line. */
import type { ComponentChildren, JSX } from "preact";
import { useId } from "preact/hooks";
import { ApiError } from "../lib/api.ts";
import { useI18n } from "../lib/i18n.tsx";

/** A text input with its visible label and an optional hint, linked for screen readers. */
export function Field(
  props: { label: string; hint?: string } & Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "id">,
) {
  const id = useId();
  const { label, hint, ...input } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint && <p id={`${id}-hint`} class="hint">{hint}</p>}
    </div>
  );
}

/** An error in plain words, announced to screen readers. */
export function ErrorNotice(props: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  if (!props.error) return null;
  const message = props.error instanceof ApiError || props.error instanceof Error
    ? props.error.message
    : String(props.error);
  return (
    <div class="notice error" role="alert">
      <p>{t("app.error", { message })}</p>
      {props.onRetry && <button type="button" onClick={props.onRetry}>{t("app.retry")}</button>}
    </div>
  );
}

/** A polite "loading" line. */
export function Loading() {
  const { t } = useI18n();
  return <p class="muted" role="status">{t("app.loading")}</p>;
}

/** A page's main heading and content. */
export function Page(props: { title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <section class={props.wide ? "page wide" : "page"} aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>{props.title}</h1>
      {props.children}
    </section>
  );
}
