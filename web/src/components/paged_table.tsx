/**
 * A list the API pages by cursor (`{ items, nextCursor }`), read through `useInfiniteQuery`: its loading line, its
 * error with a retry and what it says when empty (`PagedState`), a data table of the pages loaded so far
 * (`PagedTable`) and a "Show more" button while there is a next page (`ShowMore`).
 */
import type { ComponentChildren, VNode } from "preact";
import { useI18n } from "../lib/i18n.tsx";
import { ErrorNotice, Loading } from "./ui.tsx";

/** What these pieces read of a `useInfiniteQuery` result whose pages hold `items`. */
export interface PagedQuery<T> {
  data?: { pages: { items: T[] }[] };
  isPending: boolean;
  isSuccess: boolean;
  error: unknown;
  refetch(): unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage(): unknown;
}

/** A column's header; a `hidden` one is read by screen readers only (a column of buttons, say). */
export type Column = string | { label: string; hidden: true };

/** The rows of every page loaded so far. */
export function itemsOf<T>(query: PagedQuery<T>): T[] {
  return query.data?.pages.flatMap((p) => p.items) ?? [];
}

/** The list's loading line, its error with a retry, and `empty` once it has loaded no rows. */
export function PagedState<T>(props: { query: PagedQuery<T>; empty: ComponentChildren }) {
  const { query } = props;
  return (
    <>
      {query.isPending && <Loading />}
      <ErrorNotice error={query.error} onRetry={() => query.refetch()} />
      {query.isSuccess && itemsOf(query).length === 0 && <p>{props.empty}</p>}
    </>
  );
}

/** "Show more" while the query has a next page; off while that page loads. */
export function ShowMore<T>(props: { query: PagedQuery<T> }) {
  const { t } = useI18n();
  const { query } = props;
  if (!query.hasNextPage) return null;
  return (
    <button type="button" disabled={query.isFetchingNextPage} onClick={() => query.fetchNextPage()}>
      {t("app.more")}
    </button>
  );
}

/**
 * The paged list as a table: `caption` names it for screen readers, `columns` head it, `row` draws one item as a
 * `<tr>` with its key, and `empty` is said when the list has no rows.
 */
export function PagedTable<T>(props: {
  query: PagedQuery<T>;
  caption: string;
  columns: Column[];
  row: (item: T) => VNode;
  empty: ComponentChildren;
}) {
  const { query } = props;
  const items = itemsOf(query);
  return (
    <>
      <PagedState query={query} empty={props.empty} />
      {items.length > 0 && (
        <table class="data">
          <caption class="visually-hidden">{props.caption}</caption>
          <thead>
            <tr>
              {props.columns.map((c, i) => (
                <th key={i} scope="col">
                  {typeof c === "string" ? c : <span class="visually-hidden">{c.label}</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{items.map(props.row)}</tbody>
        </table>
      )}
      <ShowMore query={query} />
    </>
  );
}
