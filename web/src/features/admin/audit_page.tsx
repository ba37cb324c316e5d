/**
 * The audit trail for admins (`/admin/audit`): filter by who acted (their email, looked up in the directory), by
 * action and by a date range; newest first, paged through the API's cursor ("Show more"), never loaded whole.
 */
import { useInfiniteQuery } from "@tanstack/preact-query";
import { useState } from "preact/hooks";
import { PagedTable } from "../../components/paged_table.tsx";
import { Field, Page } from "../../components/ui.tsx";
import { api, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

interface Filters {
  actor: string;
  action: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { actor: "", action: "", from: "", to: "" };

/** The start of a day (`YYYY-MM-DD`, UTC) as an ISO time; `nextDay` gives the day after (the range's end is exclusive). */
function dayStart(day: string, nextDay = false): string | undefined {
  if (!day) return undefined;
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  if (nextDay) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString();
}

/** `/admin/audit`. */
export function AdminAuditPage() {
  const { t, language } = useI18n();
  const [typed, setTyped] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const time = new Intl.DateTimeFormat(language, {
    dateStyle: "medium",
    timeStyle: "medium",
    timeZone: "UTC",
  });
  const list = useInfiniteQuery({
    queryKey: ["admin", "audit", filters],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      let userId: string | undefined;
      if (filters.actor) {
        // The actor is named by email; the directory finds the account (deactivated ones too).
        const match = async (status: "active" | "deactivated") =>
          unwrap(
            await api.GET("/api/v1/users", { params: { query: { email: filters.actor, status, limit: 1 } } }),
          ).items[0];
        const user = (await match("active")) ?? (await match("deactivated"));
        if (!user) return { items: [], nextCursor: null, unknownActor: true };
        userId = user.id;
      }
      const page = unwrap(
        await api.GET("/api/v1/audit", {
          params: {
            query: {
              userId,
              action: filters.action || undefined,
              from: dayStart(filters.from),
              to: dayStart(filters.to, true),
              cursor: pageParam,
              limit: 25,
            },
          },
        }),
      );
      return { ...page, unknownActor: false };
    },
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const set = (key: keyof Filters) => (e: { currentTarget: HTMLInputElement }) =>
    setTyped({ ...typed, [key]: e.currentTarget.value });
  return (
    <Page title={t("audit.title")} wide>
      <form
        role="search"
        class="row"
        aria-label={t("audit.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          setFilters({ ...typed, actor: typed.actor.trim(), action: typed.action.trim() });
        }}
      >
        <Field label={t("audit.actor")} type="email" value={typed.actor} onInput={set("actor")} />
        <Field label={t("audit.action")} value={typed.action} onInput={set("action")} />
        <Field label={t("audit.from")} type="date" value={typed.from} onInput={set("from")} />
        <Field label={t("audit.to")} type="date" value={typed.to} onInput={set("to")} />
        <button type="submit">{t("audit.apply")}</button>
      </form>
      <PagedTable
        query={list}
        caption={t("audit.title")}
        columns={[
          t("audit.when"),
          t("audit.action"),
          t("audit.target"),
          t("audit.actorId"),
          t("audit.details"),
        ]}
        empty={list.data?.pages[0]?.unknownActor
          ? t("audit.unknownActor", { email: filters.actor })
          : t("audit.none")}
        row={(e) => (
          <tr key={e.id}>
            <td>{time.format(new Date(e.timestamp))}</td>
            <th scope="row" dir="ltr" class="code">{e.action}</th>
            <td dir="ltr" class="code">{e.target ?? ""}</td>
            <td dir="ltr" class="code">{e.userId ?? t("audit.system")}</td>
            <td dir="ltr" class="code">
              {Object.keys(e.metadata).length > 0 ? JSON.stringify(e.metadata) : ""}
            </td>
          </tr>
        )}
      />
    </Page>
  );
}
