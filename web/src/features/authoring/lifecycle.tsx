/**
 * Publish (with its window, time limit, attempts and late policy), close and release. When the server refuses an
 * action its reason is shown as it gave it, with the lifecycle's rule for that action in plain words.
 */
import { useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { Field } from "../../components/ui.tsx";
import { api, ApiError, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import { authoringKeys, type StaffExam } from "./api.ts";

type Action = "publish" | "close" | "release";

function localInput(date: Date): string {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

/** The lifecycle actions the exam's status allows. */
export function Lifecycle(props: { exam: StaffExam }) {
  const { t, language } = useI18n();
  const queryClient = useQueryClient();
  const { exam } = props;
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ action: Action; reason: string } | null>(null);
  const [opensAt, setOpensAt] = useState("");
  const [closesAt, setClosesAt] = useState(localInput(new Date(Date.now() + 7 * 86_400_000)));
  const [timeLimit, setTimeLimit] = useState("");
  const [attempts, setAttempts] = useState(1);
  const [allowLate, setAllowLate] = useState(false);
  const when = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" });

  async function run(action: Action) {
    setBusy(true);
    setRefusal(null);
    try {
      const path = { params: { path: { id: exam.id } } };
      if (action === "publish") {
        unwrap(
          await api.POST("/api/v1/exams/{id}/publish", {
            ...path,
            body: {
              opensAt: opensAt ? new Date(opensAt).toISOString() : undefined,
              closesAt: new Date(closesAt).toISOString(),
              timeLimitMinutes: timeLimit ? Number(timeLimit) : undefined,
              attemptsAllowed: attempts,
              allowLate,
            },
          }),
        );
      } else if (action === "close") unwrap(await api.POST("/api/v1/exams/{id}/close", path));
      else unwrap(await api.POST("/api/v1/exams/{id}/release", path));
      await queryClient.invalidateQueries({ queryKey: authoringKeys.all });
    } catch (err) {
      const reason = err instanceof ApiError || err instanceof Error ? err.message : String(err);
      setRefusal({ action, reason });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="lifecycle-title" class="authoring-section">
      <h2 id="lifecycle-title">{t("authoring.lifecycle")}</h2>
      <p class="hint">{t("authoring.lifecycleRules")}</p>
      {exam.opensAt && exam.closesAt && (
        <p>
          {t("authoring.window", {
            opens: when.format(new Date(exam.opensAt)),
            closes: when.format(new Date(exam.closesAt)),
          })}
        </p>
      )}
      {exam.status === "draft" && (
        <form
          class="stack publish-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run("publish");
          }}
        >
          <Field
            label={t("authoring.opensAt")}
            hint={t("authoring.opensAtHint")}
            type="datetime-local"
            value={opensAt}
            onInput={(e) => setOpensAt(e.currentTarget.value)}
          />
          <Field
            label={t("authoring.closesAt")}
            type="datetime-local"
            required
            value={closesAt}
            onInput={(e) => setClosesAt(e.currentTarget.value)}
          />
          <Field
            label={t("authoring.timeLimit")}
            hint={t("authoring.timeLimitHint")}
            type="number"
            min={1}
            max={1440}
            value={timeLimit}
            onInput={(e) => setTimeLimit(e.currentTarget.value)}
          />
          <Field
            label={t("authoring.attempts")}
            type="number"
            min={1}
            max={20}
            value={attempts}
            onInput={(e) => setAttempts(Number(e.currentTarget.value) || 1)}
          />
          <label class="radio">
            <input
              type="checkbox"
              checked={allowLate}
              onChange={(e) => setAllowLate(e.currentTarget.checked)}
            />
            {t("authoring.allowLate")}
          </label>
          <div>
            <button type="submit" class="primary" disabled={busy}>{t("authoring.publish")}</button>
          </div>
        </form>
      )}
      <div class="row-actions">
        {exam.status === "published" && (
          <button type="button" onClick={() => run("close")} disabled={busy}>{t("authoring.close")}</button>
        )}
        {(exam.status === "published" || exam.status === "closed") && (
          <button
            type="button"
            class="primary"
            onClick={() => run("release")}
            disabled={busy}
          >
            {t("authoring.release")}
          </button>
        )}
      </div>
      {refusal && (
        <div class="notice error" role="alert">
          <p>{t("authoring.refused", { reason: refusal.reason })}</p>
          <p>{t(`authoring.rule.${refusal.action}`)}</p>
        </div>
      )}
    </section>
  );
}
