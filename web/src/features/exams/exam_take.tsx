/**
 * Taking an attempt: every item on one scrollable form (the student sees how much is left, answers in any order,
 * and moves with Tab and the arrow keys the way any form works), each answer autosaved, a countdown on the
 * server's clock, and a confirm step before submitting. At the deadline the server submits what was saved; the
 * form saves what is left just before it and then says plainly that time is up.
 */
import { useQueryClient } from "@tanstack/preact-query";
import { useEffect, useRef, useState } from "preact/hooks";
import { ErrorNotice } from "../../components/ui.tsx";
import { useI18n } from "../../lib/i18n.tsx";
import { type Attempt, type AttemptItem, submitAttempt } from "./api.ts";
import { forgetUnsaved, type SaveState, useAutosave } from "./autosave.ts";
import { Countdown, useTimeLeft } from "./countdown.tsx";

/** Seconds before the deadline at which unsaved answers go out without waiting for the pause. */
const LAST_SAVE_MS = 5_000;

/** The form of an attempt in progress; `onDone` refreshes the page's data once it is submitted. */
export function ExamTake(props: { attempt: Attempt; onDone: () => Promise<void> }) {
  const { t } = useI18n();
  const [deadlineAt, setDeadlineAt] = useState(props.attempt.deadlineAt);
  const save = useAutosave(props.attempt, setDeadlineAt);
  const left = useTimeLeft(deadlineAt, props.attempt.startedAt);
  const timeUp = left !== null && left <= 0;
  const [confirming, setConfirming] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<unknown>(null);
  const confirmRef = useRef<HTMLDivElement>(null);
  const queryClient = useQueryClient();

  // Just before the deadline, save what is left; at it, stop and let the server's submission show.
  useEffect(() => {
    if (left === null) return;
    if (left <= LAST_SAVE_MS && left > 0 && save.hasUnsaved()) void save.flush();
  }, [left !== null && left <= LAST_SAVE_MS]);
  useEffect(() => {
    if (!timeUp) return;
    save.stop();
    forgetUnsaved(props.attempt.id);
    // The server submits the attempt at its deadline (on the next access at the latest): ask until it shows, as
    // the two clocks may differ by a moment (this form goes away once the attempt reads as submitted).
    const id = setInterval(() => void props.onDone(), 2000);
    return () => clearInterval(id);
  }, [timeUp]);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  async function submit() {
    setSubmitting(true);
    setSubmitError(null);
    try {
      await save.flush();
      if (save.hasUnsaved()) throw new Error(t("exams.unsavedBeforeSubmit"));
      await submitAttempt(props.attempt.id);
      save.stop();
      forgetUnsaved(props.attempt.id);
      await props.onDone();
      // The form is gone: start keyboard and screen-reader users again at the page's heading, above the status.
      document.getElementById("page-title")?.focus();
    } catch (err) {
      setSubmitError(err);
      setSubmitting(false);
    }
  }

  const unanswered = props.attempt.items.filter((i) => !save.answers[i.id]?.trim()).length;
  const closed = timeUp || save.state.kind === "closed";

  return (
    <div class="exam-take">
      <div class="exam-bar" role="region" aria-label={t("exams.statusBar")}>
        <Countdown left={left} />
        <SaveStatus state={save.state} />
        <span class="muted">
          {t("exams.answered", {
            done: props.attempt.items.length - unanswered,
            total: props.attempt.items.length,
          })}
        </span>
      </div>
      {closed && (
        <div class="notice" role="alert">
          <p>{timeUp ? t("exams.timeUp") : t("exams.closedWhileTaking")}</p>
          <button
            type="button"
            onClick={() => {
              void queryClient.invalidateQueries({ queryKey: ["exams"] });
              void props.onDone();
            }}
          >
            {t("exams.seeStatus")}
          </button>
        </div>
      )}
      <form
        class="exam-form"
        aria-label={t("exams.formLabel")}
        onSubmit={(e) => {
          e.preventDefault();
          setConfirming(true);
        }}
      >
        <ol class="exam-items">
          {props.attempt.items.map((item, index) => (
            <li key={item.id}>
              <ItemField
                item={item}
                index={index + 1}
                value={save.answers[item.id] ?? null}
                disabled={closed || submitting}
                onChange={(value) => save.setAnswer(item.id, value)}
              />
            </li>
          ))}
        </ol>
        {!confirming && <button type="submit" class="primary" disabled={closed}>{t("exams.submit")}</button>}
      </form>
      {confirming && !closed && (
        <div
          class="notice exam-confirm"
          role="group"
          aria-labelledby="exam-confirm-title"
          tabIndex={-1}
          ref={confirmRef}
        >
          <h2 id="exam-confirm-title">{t("exams.confirmTitle")}</h2>
          <p>
            {unanswered > 0 ? t("exams.confirmUnanswered", { count: unanswered }) : t("exams.confirmAll")}
          </p>
          <div class="row">
            <button type="button" class="primary" onClick={submit} disabled={submitting}>
              {submitting ? t("exams.submitting") : t("exams.confirmSubmit")}
            </button>
            <button type="button" class="quiet" onClick={() => setConfirming(false)} disabled={submitting}>
              {t("exams.keepWorking")}
            </button>
          </div>
          <ErrorNotice error={submitError} />
        </div>
      )}
    </div>
  );
}

function SaveStatus(props: { state: SaveState }) {
  const { t, language } = useI18n();
  const s = props.state;
  let text = "";
  if (s.kind === "pending" || s.kind === "saving") text = t("exams.saving");
  if (s.kind === "saved") {
    const time = new Intl.DateTimeFormat(language, { timeStyle: "medium" }).format(s.at);
    text = t("exams.savedAt", { time });
  }
  if (s.kind === "retrying") text = s.offline ? t("exams.offline") : t("exams.retrying");
  if (s.kind === "failed") text = t("exams.saveFailed", { message: s.message });
  if (s.kind === "closed") text = t("exams.saveClosed");
  const bad = s.kind === "retrying" || s.kind === "failed";
  // Polite: a saved state is news, not an interruption.
  return <span class={bad ? "save-state bad" : "save-state"} role="status">{text}</span>;
}

/** "True"/"False" options are shown in the UI's language; the value sent stays the option itself. */
function optionLabel(option: string, t: ReturnType<typeof useI18n>["t"]): string {
  if (option === "True") return t("exams.true");
  if (option === "False") return t("exams.false");
  return option;
}

function ItemField(props: {
  item: AttemptItem;
  index: number;
  value: string | null;
  disabled: boolean;
  onChange(value: string | null): void;
}) {
  const { t } = useI18n();
  const { item } = props;
  const legendId = `item-${item.id}-legend`;
  const questionId = `item-${item.id}-question`;
  const head = <span class="item-no">{t("exams.itemHeading", { n: props.index, points: item.points })}</span>;
  if (item.type === "short_answer") {
    const blank = /_{3,}/.test(item.question);
    return (
      <div class="exam-item">
        <p class="item-head" id={legendId}>{head}</p>
        <label for={`item-${item.id}`} id={questionId} class="item-question" dir="auto">
          {item.question}
        </label>
        <input
          id={`item-${item.id}`}
          type="text"
          dir="auto"
          maxLength={5000}
          autoComplete="off"
          aria-describedby={`${legendId} item-${item.id}-hint`}
          value={props.value ?? ""}
          disabled={props.disabled}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
        <p id={`item-${item.id}-hint`} class="hint">
          {blank ? t("exams.fillBlankHint") : t("exams.shortAnswerHint")}
        </p>
      </div>
    );
  }
  return (
    <fieldset class="exam-item">
      <legend>
        {head}
        <span class="item-question" dir="auto">{item.question}</span>
      </legend>
      {item.options.map((option, i) => (
        <label key={i} class="radio option">
          <input
            type="radio"
            name={`item-${item.id}`}
            value={option}
            checked={props.value === option}
            disabled={props.disabled}
            onChange={() => props.onChange(option)}
          />
          <span dir="auto">{optionLabel(option, t)}</span>
        </label>
      ))}
    </fieldset>
  );
}
