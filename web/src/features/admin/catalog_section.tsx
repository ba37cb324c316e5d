/**
 * One kind of catalog row (faculties, semesters or courses) as a section: a paged list (the API's cursor, "Show
 * more") of live and deleted rows, a form to create one, and per row edit, soft delete and restore. The lists ask
 * with `includeDeleted=true`, the admins' view, which is also never kept by the edge's shared cache: the plain
 * catalog lists are cached for a minute, which would hide an admin's own change from them. What the API
 * refuses (say, deleting a faculty that still has semesters) is shown with the server's reason.
 */
import { useInfiniteQuery, useQueryClient } from "@tanstack/preact-query";
import { useId, useState } from "preact/hooks";
import { PagedTable } from "../../components/paged_table.tsx";
import { ErrorNotice } from "../../components/ui.tsx";
import { useI18n } from "../../lib/i18n.tsx";

/** A form field of a catalog row. */
export interface FieldSpec {
  name: string;
  label: string;
  type: "text" | "date" | "checkbox" | "select";
  options?: { value: string; label: string }[];
  required?: boolean;
}

/** Form values by field name. */
export type Values = Record<string, string | boolean>;

/** What a section needs to know about its rows. */
export interface SectionSpec<T extends { id: string; deletedAt: string | null }> {
  id: string;
  title: string;
  /** The label of the form that adds one ("Add a faculty"). */
  addLabel: string;
  queryKey: unknown[];
  /** A page of rows, deleted ones included. */
  fetchPage(cursor: string | undefined): Promise<{ items: T[]; nextCursor: string | null }>;
  /** The row's name in buttons and headings. */
  nameOf(item: T): string;
  columns: { label: string; value(item: T): string }[];
  fields: FieldSpec[];
  valuesOf(item: T): Values;
  create(values: Values): Promise<unknown>;
  update(id: string, values: Values): Promise<unknown>;
  remove(id: string): Promise<unknown>;
  restore(id: string): Promise<unknown>;
  /** Opens a row's children (semesters of a faculty, courses of a semester). */
  open?: { label(item: T): string; run(item: T): void; current?: string };
}

/** A catalog section. */
export function CatalogSection<T extends { id: string; deletedAt: string | null }>(
  props: { spec: SectionSpec<T> },
) {
  const { t } = useI18n();
  const spec = props.spec;
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Bumped after each successful create, so the form starts empty again.
  const [created, setCreated] = useState(0);
  const list = useInfiniteQuery({
    queryKey: spec.queryKey,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => spec.fetchPage(pageParam),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

  async function act(run: () => Promise<unknown>): Promise<boolean> {
    setError(null);
    try {
      await run();
      await queryClient.invalidateQueries({ queryKey: spec.queryKey });
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  }

  return (
    <section aria-labelledby={`${spec.id}-title`} class="insight-section">
      <h2 id={`${spec.id}-title`}>{spec.title}</h2>
      <ErrorNotice error={error} />
      <PagedTable
        query={list}
        caption={spec.title}
        columns={[
          ...spec.columns.map((c) => c.label),
          t("catalog.state"),
          { label: t("admin.users.actions"), hidden: true },
        ]}
        empty={t("catalog.empty")}
        row={(item) => (
          <tr key={item.id} aria-current={spec.open?.current === item.id ? "true" : undefined}>
            {spec.columns.map((c, i) =>
              i === 0
                ? <th key={c.label} scope="row" dir="auto">{c.value(item)}</th>
                : <td key={c.label} dir="auto">{c.value(item)}</td>
            )}
            <td>{item.deletedAt ? t("catalog.deleted") : t("catalog.live")}</td>
            <td class="row">
              {editing === item.id
                ? (
                  <EntityForm
                    fields={spec.fields.filter((f) => f.name !== "facultyId" && f.name !== "semesterId")}
                    initial={spec.valuesOf(item)}
                    submitLabel={t("catalog.save")}
                    legend={t("catalog.editing", { name: spec.nameOf(item) })}
                    onCancel={() => setEditing(null)}
                    onSubmit={async (values) => {
                      if (
                        await act(() => spec.update(item.id, values))
                      ) setEditing(null);
                    }}
                  />
                )
                : item.deletedAt
                ? (
                  <button
                    type="button"
                    onClick={() => act(() => spec.restore(item.id))}
                  >
                    {t("catalog.restore", { name: spec.nameOf(item) })}
                  </button>
                )
                : (
                  <>
                    {spec.open && (
                      <button
                        type="button"
                        class="quiet"
                        onClick={() => spec.open?.run(item)}
                      >
                        {spec.open.label(item)}
                      </button>
                    )}
                    <button type="button" class="quiet" onClick={() => setEditing(item.id)}>
                      {t("catalog.edit", { name: spec.nameOf(item) })}
                    </button>
                    <button
                      type="button"
                      class="danger"
                      onClick={() => {
                        if (confirm(t("catalog.confirmDelete", { name: spec.nameOf(item) }))) {
                          act(() => spec.remove(item.id));
                        }
                      }}
                    >
                      {t("catalog.delete", { name: spec.nameOf(item) })}
                    </button>
                  </>
                )}
            </td>
          </tr>
        )}
      />
      <details>
        <summary>{spec.addLabel}</summary>
        <EntityForm
          key={created}
          fields={spec.fields}
          initial={{}}
          submitLabel={t("catalog.create")}
          legend={spec.addLabel}
          onSubmit={async (values) => {
            if (await act(() => spec.create(values))) setCreated((n) => n + 1);
          }}
        />
      </details>
    </section>
  );
}

function EntityForm(props: {
  fields: FieldSpec[];
  initial: Values;
  legend: string;
  submitLabel: string;
  onSubmit(values: Values): Promise<void>;
  onCancel?(): void;
}) {
  const { t } = useI18n();
  const base = useId();
  const [values, setValues] = useState<Values>(() => {
    const start: Values = { ...props.initial };
    for (const f of props.fields) {
      if (start[f.name] === undefined) {
        start[f.name] = f.type === "checkbox" ? false : f.options?.[0]?.value ?? "";
      }
    }
    return start;
  });
  const [busy, setBusy] = useState(false);
  const set = (name: string, value: string | boolean) => setValues((v) => ({ ...v, [name]: value }));
  return (
    <form
      class="stack catalog-form"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          await props.onSubmit(values);
        } finally {
          setBusy(false);
        }
      }}
    >
      <fieldset>
        <legend>{props.legend}</legend>
        {props.fields.map((f) => {
          const id = `${base}-${f.name}`;
          if (f.type === "checkbox") {
            return (
              <label key={f.name} class="radio" for={id}>
                <input
                  id={id}
                  type="checkbox"
                  checked={values[f.name] === true}
                  onChange={(e) => set(f.name, e.currentTarget.checked)}
                />
                {f.label}
              </label>
            );
          }
          return (
            <div key={f.name} class="field">
              <label for={id}>{f.label}</label>
              {f.type === "select"
                ? (
                  <select
                    id={id}
                    value={String(values[f.name])}
                    onChange={(e) => set(f.name, e.currentTarget.value)}
                  >
                    {f.options?.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
                  </select>
                )
                : (
                  <input
                    id={id}
                    type={f.type}
                    required={f.required}
                    dir="auto"
                    value={String(values[f.name] ?? "")}
                    onInput={(e) => set(f.name, e.currentTarget.value)}
                  />
                )}
            </div>
          );
        })}
      </fieldset>
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>{props.submitLabel}</button>
        {props.onCancel && (
          <button type="button" class="quiet" onClick={props.onCancel}>{t("catalog.cancel")}</button>
        )}
      </div>
    </form>
  );
}
