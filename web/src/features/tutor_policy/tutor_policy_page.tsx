/**
 * The tutor policy of one course (`/tutor-policy/:id`), for its instructors and admins: how the tutor answers
 * (directly, socratically, hints only), with a preview of what a student sees under the chosen mode. The preview
 * uses the tutor's own wording (`shared/tutor/messages.ts`), in the language of the page. Also the course's limits:
 * the lock-out during open exams (on or off) and the course's own daily question quota (or the server's).
 */
import { useQuery, useQueryClient } from "@tanstack/preact-query";
import { useRoute } from "preact-iso";
import { useEffect, useState } from "preact/hooks";
import { ErrorNotice, Loading, Page } from "../../components/ui.tsx";
import { api, type Schemas, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import { guidingQuestions, offlinePreface, refusalMessage } from "../../../../shared/tutor/messages.ts";
import { savedMessage } from "./saved.ts";

type Mode = Schemas["TutorPolicy"]["policy"];
const MODES: Mode[] = ["direct", "socratic", "hints-only"];

/** `/tutor-policy/:id`. */
export function TutorPolicyPage() {
  const { t, language } = useI18n();
  const { params } = useRoute();
  const id = params.id;
  const queryClient = useQueryClient();
  const course = useQuery({
    queryKey: ["course", id],
    queryFn: async () => unwrap(await api.GET("/api/v1/courses/{id}", { params: { path: { id } } })),
  });
  const policy = useQuery({
    queryKey: ["tutor-policy", id],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/courses/{id}/tutor-policy", { params: { path: { id } } })),
  });
  const [mode, setMode] = useState<Mode | null>(null);
  const [lockout, setLockout] = useState(true);
  const [ownQuota, setOwnQuota] = useState(false);
  const [quota, setQuota] = useState(0);
  const [error, setError] = useState<unknown>(null);
  /** The policy before and after the last save, while the form is as saved. */
  const [saved, setSaved] = useState<
    { before: Schemas["TutorPolicy"]; after: Schemas["TutorPolicy"] } | null
  >(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (policy.data && mode === null) {
      setMode(policy.data.policy);
      setLockout(policy.data.lockoutDuringExams);
      setOwnQuota(policy.data.dailyQuestionQuota !== null);
      setQuota(policy.data.dailyQuestionQuota ?? policy.data.serverDailyQuestionQuota);
    }
  }, [policy.data]);
  const dailyQuestionQuota = ownQuota ? quota : null;
  const changed = !!policy.data && (mode !== policy.data.policy ||
    lockout !== policy.data.lockoutDuringExams || dailyQuestionQuota !== policy.data.dailyQuestionQuota);
  const perDay = (n: number) => n > 0 ? t("tutorPolicy.perDay", { n }) : t("tutorPolicy.noLimit");
  const touched = () => setSaved(null);

  async function save(e: Event) {
    e.preventDefault();
    if (!mode || !policy.data) return;
    const before = policy.data;
    setError(null);
    setSaved(null);
    setBusy(true);
    try {
      const updated = unwrap(
        await api.PUT("/api/v1/courses/{id}/tutor-policy", {
          params: { path: { id } },
          body: { policy: mode, lockoutDuringExams: lockout, dailyQuestionQuota },
        }),
      );
      queryClient.setQueryData(["tutor-policy", id], updated);
      setSaved({ before, after: updated });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const tutorLanguage = language === "ar" ? "ar" : "en";
  const title = course.data
    ? t("tutorPolicy.courseTitle", { course: course.data.title })
    : t("tutorPolicy.title");
  return (
    <Page title={title} wide>
      {course.data && (
        <p class="muted">
          <bdi dir="ltr">{course.data.code}</bdi>
        </p>
      )}
      <ErrorNotice error={course.error ?? policy.error} onRetry={() => policy.refetch()} />
      {policy.isPending && <Loading />}
      {mode && (
        <form class="stack" onSubmit={save}>
          <fieldset>
            <legend>{t("tutorPolicy.mode")}</legend>
            {MODES.map((m) => (
              <div key={m}>
                <label class="radio">
                  <input
                    type="radio"
                    name="mode"
                    value={m}
                    checked={mode === m}
                    aria-describedby={`mode-${m}-hint`}
                    onChange={() => {
                      setMode(m);
                      touched();
                    }}
                  />
                  <strong>{t(`tutorPolicy.mode.${m}`)}</strong>
                </label>
                <p id={`mode-${m}-hint`} class="hint">{t(`tutorPolicy.modeHint.${m}`)}</p>
              </div>
            ))}
          </fieldset>
          <fieldset>
            <legend>{t("tutorPolicy.limits")}</legend>
            <label class="radio">
              <input
                type="checkbox"
                checked={lockout}
                onChange={(e) => {
                  setLockout(e.currentTarget.checked);
                  touched();
                }}
              />
              {t("tutorPolicy.lockoutField")}
            </label>
            <label class="radio">
              <input
                type="checkbox"
                checked={ownQuota}
                aria-describedby="own-quota-hint"
                onChange={(e) => {
                  setOwnQuota(e.currentTarget.checked);
                  touched();
                }}
              />
              {t("tutorPolicy.ownQuota")}
            </label>
            <p id="own-quota-hint" class="hint">
              {t("tutorPolicy.serverQuota", { limit: perDay(policy.data?.serverDailyQuestionQuota ?? 0) })}
            </p>
            {ownQuota && (
              <div class="field">
                <label for="course-quota">{t("tutorPolicy.quotaField")}</label>
                <input
                  id="course-quota"
                  type="number"
                  min={0}
                  max={1000000}
                  step={1}
                  required
                  value={quota}
                  onInput={(e) => {
                    setQuota(Math.max(0, Math.floor(Number(e.currentTarget.value) || 0)));
                    touched();
                  }}
                />
              </div>
            )}
          </fieldset>
          <button type="submit" class="primary" disabled={busy || !changed}>
            {t("tutorPolicy.save")}
          </button>
          <ErrorNotice error={error} />
          {saved && (
            <p role="status" class="notice">
              {savedMessage(t, saved.before, saved.after)}
            </p>
          )}
        </form>
      )}
      {mode && (
        <section aria-labelledby="policy-preview" class="insight-section card">
          <h2 id="policy-preview">{t("tutorPolicy.preview")}</h2>
          <p class="hint">{t("tutorPolicy.previewHint")}</p>
          <h3>{t("tutorPolicy.previewAnswer")}</h3>
          <blockquote lang={tutorLanguage} data-testid="preview-answer">
            <p>{offlinePreface(mode, tutorLanguage)}</p>
            <p class="muted">{t("tutorPolicy.previewPassage")}</p>
            {mode !== "direct" && (
              <ul>
                {guidingQuestions(tutorLanguage).map((q) => <li key={q}>{q}</li>)}
              </ul>
            )}
          </blockquote>
          <h3>{t("tutorPolicy.previewNotFound")}</h3>
          <blockquote lang={tutorLanguage}>
            <p>{refusalMessage("not_found", tutorLanguage)}</p>
          </blockquote>
          <h3>{t("tutorPolicy.lockout")}</h3>
          {lockout
            ? (
              <>
                <p>{t("tutorPolicy.lockoutHint")}</p>
                <blockquote lang={tutorLanguage}>
                  <p>{refusalMessage("exam_lockout", tutorLanguage)}</p>
                </blockquote>
              </>
            )
            : <p>{t("tutorPolicy.lockoutOff")}</p>}
          <h3>{t("tutorPolicy.quota")}</h3>
          <p data-testid="preview-quota">
            {t("tutorPolicy.quotaNow", {
              course: perDay(dailyQuestionQuota ?? policy.data?.serverDailyQuestionQuota ?? 0),
              student: perDay(policy.data?.studentDailyQuota ?? 0),
            })} <a href={`/insight/${id}`}>{t("tutorPolicy.quotaLink")}</a>
          </p>
        </section>
      )}
    </Page>
  );
}
