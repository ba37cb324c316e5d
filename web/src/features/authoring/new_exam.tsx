/**
 * A new exam from a blueprint: its title, its learning objectives (one per line; the generator tests them first),
 * which documents it covers, how many items of each kind, the difficulty mix and the language. The window, time limit and attempts are set when the draft is published.
 */
import { useLocation, useRoute } from "preact-iso";
import { useState } from "preact/hooks";
import { ErrorNotice, Field, Loading, Page } from "../../components/ui.tsx";
import { api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import { DIFFICULTIES, ITEM_TYPES, useCourseDocuments } from "./api.ts";
import "./authoring.css";

/** `/courses/:id/authoring/new`. */
export function NewExamPage() {
  const { t } = useI18n();
  const { params } = useRoute();
  const { route } = useLocation();
  const courseId = params.id;
  const documents = useCourseDocuments(courseId);
  const [title, setTitle] = useState("");
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [counts, setCounts] = useState({ multiple_choice: 3, true_false: 2, short_answer: 1 });
  const [mix, setMix] = useState({ easy: 30, medium: 50, hard: 20 });
  const [language, setLanguage] = useState<"en" | "ar">("en");
  const [objectives, setObjectives] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ready = documents.data?.filter((d) => d.status === "ready") ?? [];
  const total = counts.multiple_choice + counts.true_false + counts.short_answer;
  const mixTotal = mix.easy + mix.medium + mix.hard;

  async function submit(event: Event) {
    event.preventDefault();
    if (total === 0) return setError(t("authoring.askForItems"));
    if (mixTotal !== 100) return setError(t("authoring.mixMustSum", { total: mixTotal }));
    setBusy(true);
    setError(null);
    try {
      const created = unwrap(
        await api.POST("/api/v1/courses/{id}/exams", {
          params: { path: { id: courseId } },
          body: {
            title,
            blueprint: {
              documentIds: chosen.size ? [...chosen] : undefined,
              counts,
              difficulty: { easy: mix.easy / 100, medium: mix.medium / 100, hard: mix.hard / 100 },
              language,
              objectives: objectives.split("\n").map((o) => o.trim()).filter(Boolean),
            },
          },
        }),
      );
      route(`/courses/${courseId}/authoring/${created.examId}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <Page title={t("authoring.new")} wide>
      <p>
        <a href={`/courses/${courseId}/exams`}>{t("authoring.back")}</a>
      </p>
      <form class="stack blueprint" onSubmit={submit}>
        <Field
          label={t("authoring.examTitle")}
          value={title}
          required
          maxLength={300}
          onInput={(e) => setTitle(e.currentTarget.value)}
        />
        <div class="field">
          <label for="blueprint-objectives">{t("authoring.objectives")}</label>
          <textarea
            id="blueprint-objectives"
            dir="auto"
            rows={3}
            aria-describedby="blueprint-objectives-hint"
            value={objectives}
            onInput={(e) => setObjectives(e.currentTarget.value)}
          />
          <p id="blueprint-objectives-hint" class="hint">{t("authoring.objectivesHint")}</p>
        </div>
        <fieldset>
          <legend>{t("authoring.coverage")}</legend>
          <p class="hint">{t("authoring.coverageHint")}</p>
          {documents.isPending && <Loading />}
          <ErrorNotice error={documents.error} />
          {documents.data && ready.length === 0 && <p>{t("authoring.noReadyDocuments")}</p>}
          {ready.map((doc) => (
            <label key={doc.id} class="radio">
              <input
                type="checkbox"
                checked={chosen.has(doc.id)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.currentTarget.checked) next.add(doc.id);
                  else next.delete(doc.id);
                  setChosen(next);
                }}
              />
              <span dir="auto">{doc.title}</span>
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t("authoring.counts")}</legend>
          {ITEM_TYPES.map((type) => (
            <Field
              key={type}
              label={t(`authoring.type.${type}`)}
              type="number"
              min={0}
              max={100}
              value={counts[type]}
              onInput={(e) => setCounts({ ...counts, [type]: Number(e.currentTarget.value) || 0 })}
            />
          ))}
        </fieldset>
        <fieldset>
          <legend>{t("authoring.mix")}</legend>
          <p class="hint">{t("authoring.mixHint", { total: mixTotal })}</p>
          {DIFFICULTIES.map((level) => (
            <Field
              key={level}
              label={t(`authoring.difficulty.${level}`)}
              type="number"
              min={0}
              max={100}
              value={mix[level]}
              onInput={(e) => setMix({ ...mix, [level]: Number(e.currentTarget.value) || 0 })}
            />
          ))}
        </fieldset>
        <div class="field">
          <label for="blueprint-language">{t("authoring.language")}</label>
          <select
            id="blueprint-language"
            value={language}
            onChange={(e) => setLanguage(e.currentTarget.value as "en" | "ar")}
          >
            <option value="en">English</option>
            <option value="ar">العربية</option>
          </select>
        </div>
        <p class="hint">{t("authoring.windowLater")}</p>
        <ErrorNotice error={error} />
        <div>
          <button type="submit" class="primary" disabled={busy}>{t("authoring.generate")}</button>
        </div>
      </form>
    </Page>
  );
}
