/**
 * A draft's items reviewed one by one next to the passage each key cites (its supporting sentence, document and
 * page, and on request the whole passage): edit, regenerate (a new item of the same kind on a fact the exam does not
 * test yet, written by the exam's generator), delete, or add one by hand.
 */
import { useQueryClient } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { ErrorNotice, Field, Loading } from "../../components/ui.tsx";
import { api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";
import {
  authoringKeys,
  DIFFICULTIES,
  ITEM_TYPES,
  type ItemType,
  regenerateItem,
  type StaffExam,
  type StaffItem,
  useItemSource,
} from "./api.ts";

/** Every item of the exam; editable while it is a draft. */
export function ItemsReview(props: { exam: StaffExam; documentTitles: Map<string, string> }) {
  const { t } = useI18n();
  const editable = props.exam.status === "draft";
  return (
    <section aria-labelledby="items-title" class="authoring-section">
      <h2 id="items-title">{t("authoring.items", { count: props.exam.items.length })}</h2>
      {!editable && <p class="hint">{t("authoring.itemsLocked")}</p>}
      <ol class="item-review">
        {props.exam.items.map((item, index) => (
          <ItemCard
            key={item.id}
            exam={props.exam}
            item={item}
            index={index + 1}
            editable={editable}
            documentTitles={props.documentTitles}
          />
        ))}
      </ol>
      {editable && <AddItem exam={props.exam} />}
    </section>
  );
}

function ItemCard(
  props: {
    exam: StaffExam;
    item: StaffItem;
    index: number;
    editable: boolean;
    documentTitles: Map<string, string>;
  },
) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [regenerating, setRegenerating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [showPassage, setShowPassage] = useState(false);
  const { item } = props;
  const label = t("authoring.itemLabel", { n: props.index });
  const passage = useItemSource(props.exam.id, item.id, showPassage);

  async function regenerate() {
    setError(null);
    setNotice(null);
    setRegenerating(true);
    try {
      const note = await regenerateItem(props.exam.id, item.id);
      if (note !== null) setNotice(t("authoring.regenerateUnchanged", { note }));
      await queryClient.invalidateQueries({ queryKey: authoringKeys.exam(props.exam.id) });
      await queryClient.invalidateQueries({ queryKey: authoringKeys.source(item.id) });
    } catch (err) {
      setError(err);
    } finally {
      setRegenerating(false);
    }
  }

  async function remove() {
    if (!confirm(t("authoring.confirmDelete", { n: props.index }))) return;
    setError(null);
    try {
      const result = await api.DELETE("/api/v1/exams/{id}/items/{itemId}", {
        params: { path: { id: props.exam.id, itemId: item.id } },
      });
      if (!result.response.ok) unwrap(result);
      await queryClient.invalidateQueries({ queryKey: authoringKeys.exam(props.exam.id) });
    } catch (err) {
      setError(err);
    }
  }

  return (
    <li class="card item-card" aria-label={label}>
      <div class="item-body">
        {editing
          ? (
            <ItemForm
              exam={props.exam}
              item={item}
              legend={t("authoring.editing", { n: props.index })}
              onDone={() => setEditing(false)}
            />
          )
          : (
            <>
              <p class="muted small">
                {t(`authoring.type.${item.type}`)} · {t("authoring.points", { points: item.points })}
                {item.difficulty && ` · ${t(`authoring.difficulty.${item.difficulty}`)}`}
              </p>
              <p class="item-question" dir="auto">{item.question}</p>
              {item.options.length > 0 && (
                <ul class="item-options">
                  {item.options.map((o) => (
                    <li key={o} dir="auto" class={o === item.answerKey ? "key" : undefined}>
                      {o}
                      {o === item.answerKey && <strong>{` (${t("authoring.key")})`}</strong>}
                    </li>
                  ))}
                </ul>
              )}
              {item.options.length === 0 && (
                <p>
                  {t("authoring.key")}: <strong dir="auto">{item.answerKey}</strong>
                </p>
              )}
              {item.explanation && <p class="muted" dir="auto">{item.explanation}</p>}
              {props.editable && (
                <div class="row-actions">
                  <button
                    type="button"
                    onClick={() => setEditing(true)}
                    aria-label={t("authoring.edit", { n: props.index })}
                  >
                    {t("authoring.editShort")}
                  </button>
                  <button
                    type="button"
                    onClick={regenerate}
                    disabled={regenerating}
                    aria-label={t("authoring.regenerate", { n: props.index })}
                  >
                    {t("authoring.regenerateShort")}
                  </button>
                  <button
                    type="button"
                    onClick={remove}
                    aria-label={t("authoring.delete", { n: props.index })}
                  >
                    {t("authoring.deleteShort")}
                  </button>
                </div>
              )}
              {regenerating && <p role="status" class="muted">{t("authoring.regenerating")}</p>}
              {notice && <p role="status" class="notice">{notice}</p>}
              <ErrorNotice error={error} />
            </>
          )}
      </div>
      <aside class="item-source" aria-label={t("authoring.sourceOf", { n: props.index })}>
        {(item.citations ?? []).length === 0 && <p class="muted">{t("authoring.noCitation")}</p>}
        {(item.citations ?? []).map((c) => (
          <figure key={c.chunkId} class="passage">
            <blockquote dir="auto">{c.quote}</blockquote>
            <figcaption class="muted small">
              {t("authoring.citedFrom", {
                document: props.documentTitles.get(c.documentId) ?? t("authoring.unknownDocument"),
                page: c.page,
              })}
            </figcaption>
          </figure>
        ))}
        {(item.citations ?? []).length > 0 && (
          <button
            type="button"
            aria-expanded={showPassage}
            aria-label={t(showPassage ? "authoring.hidePassageOf" : "authoring.showPassageOf", {
              n: props.index,
            })}
            onClick={() => setShowPassage(!showPassage)}
          >
            {t(showPassage ? "authoring.hidePassage" : "authoring.showPassage")}
          </button>
        )}
        {showPassage && passage.isPending && <Loading />}
        {showPassage && <ErrorNotice error={passage.error} />}
        {showPassage && passage.data && (
          <div
            class="whole-passage"
            aria-label={t("authoring.wholePassage", { n: props.index })}
            role="region"
            // Scrollable when long, so it must be reachable by keyboard.
            tabIndex={0}
          >
            {passage.data.heading && <p class="small muted" dir="auto">{passage.data.heading}</p>}
            <p dir="auto">
              <Highlighted text={passage.data.text} quote={passage.data.quote} />
            </p>
          </div>
        )}
      </aside>
    </li>
  );
}

/** The fields of an item: for edits (a PATCH of what changed) and for an item added by hand. */
function ItemForm(props: { exam: StaffExam; item?: StaffItem; legend: string; onDone: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [type, setType] = useState<ItemType>(props.item?.type ?? "short_answer");
  const [question, setQuestion] = useState(props.item?.question ?? "");
  const [options, setOptions] = useState((props.item?.options ?? []).join("\n"));
  const [answerKey, setAnswerKey] = useState(props.item?.answerKey ?? "");
  const [explanation, setExplanation] = useState(props.item?.explanation ?? "");
  const [points, setPoints] = useState(props.item?.points ?? 1);
  const [difficulty, setDifficulty] = useState(props.item?.difficulty ?? "medium");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const prefix = props.item ? `edit-${props.item.id}` : "add-item";

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = {
      type,
      question,
      options: type === "true_false"
        ? ["True", "False"]
        : type === "multiple_choice"
        ? options.split("\n").map((o) => o.trim()).filter(Boolean)
        : [],
      answerKey,
      explanation: explanation || undefined,
      points,
      difficulty,
    };
    try {
      if (props.item) {
        unwrap(
          await api.PATCH("/api/v1/exams/{id}/items/{itemId}", {
            params: { path: { id: props.exam.id, itemId: props.item.id } },
            body,
          }),
        );
      } else {
        unwrap(await api.POST("/api/v1/exams/{id}/items", { params: { path: { id: props.exam.id } }, body }));
      }
      await queryClient.invalidateQueries({ queryKey: authoringKeys.exam(props.exam.id) });
      props.onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="stack item-form" onSubmit={submit}>
      <fieldset>
        <legend>{props.legend}</legend>
        <div class="field">
          <label for={`${prefix}-type`}>{t("authoring.itemType")}</label>
          <select
            id={`${prefix}-type`}
            value={type}
            onChange={(e) => setType(e.currentTarget.value as ItemType)}
          >
            {ITEM_TYPES.map((x) => <option key={x} value={x}>{t(`authoring.type.${x}`)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for={`${prefix}-question`}>{t("authoring.question")}</label>
          <textarea
            id={`${prefix}-question`}
            dir="auto"
            required
            minLength={3}
            maxLength={2000}
            rows={3}
            value={question}
            onInput={(e) => setQuestion(e.currentTarget.value)}
          />
        </div>
        {type === "multiple_choice" && (
          <div class="field">
            <label for={`${prefix}-options`}>{t("authoring.options")}</label>
            <textarea
              id={`${prefix}-options`}
              dir="auto"
              rows={4}
              aria-describedby={`${prefix}-options-hint`}
              value={options}
              onInput={(e) => setOptions(e.currentTarget.value)}
            />
            <p id={`${prefix}-options-hint`} class="hint">{t("authoring.optionsHint")}</p>
          </div>
        )}
        <Field
          label={type === "true_false" ? t("authoring.keyTrueFalse") : t("authoring.key")}
          dir="auto"
          required
          maxLength={500}
          value={answerKey}
          onInput={(e) => setAnswerKey(e.currentTarget.value)}
        />
        <div class="field">
          <label for={`${prefix}-explanation`}>{t("authoring.explanation")}</label>
          <textarea
            id={`${prefix}-explanation`}
            dir="auto"
            rows={2}
            maxLength={3000}
            value={explanation}
            onInput={(e) => setExplanation(e.currentTarget.value)}
          />
        </div>
        <Field
          label={t("authoring.pointsLabel")}
          type="number"
          min={0}
          max={100}
          step={0.5}
          value={points}
          onInput={(e) => setPoints(Number(e.currentTarget.value) || 0)}
        />
        <div class="field">
          <label for={`${prefix}-difficulty`}>{t("authoring.itemDifficulty")}</label>
          <select
            id={`${prefix}-difficulty`}
            value={difficulty}
            onChange={(e) => setDifficulty(e.currentTarget.value as typeof difficulty)}
          >
            {DIFFICULTIES.map((x) => <option key={x} value={x}>{t(`authoring.difficulty.${x}`)}</option>)}
          </select>
        </div>
      </fieldset>
      <ErrorNotice error={error} />
      <div class="row-actions">
        <button type="submit" class="primary" disabled={busy}>{t("authoring.save")}</button>
        <button type="button" onClick={props.onDone}>{t("authoring.cancel")}</button>
      </div>
    </form>
  );
}

function AddItem(props: { exam: StaffExam }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return open
    ? <ItemForm exam={props.exam} legend={t("authoring.addItem")} onDone={() => setOpen(false)} />
    : (
      <button type="button" onClick={() => setOpen(true)}>
        {t("authoring.addItem")}
      </button>
    );
}

/** The passage with its supporting sentence marked (when it is found verbatim, whitespace aside). */
function Highlighted(props: { text: string; quote: string }) {
  const text = props.text.replace(/\s+/g, " ");
  const quote = props.quote.replace(/\s+/g, " ").trim();
  const at = quote ? text.indexOf(quote) : -1;
  if (at < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, at)}
      <mark>{quote}</mark>
      {text.slice(at + quote.length)}
    </>
  );
}
