/**
 * The admins' user directory: search by part of an email or name, filter by role, page through the API's cursor;
 * open one person to see their enrolments and change their role with a reason (kept in the audit trail; the
 * change signs them out everywhere); deactivate or reactivate the account, forget its failed sign-ins (unlock), or
 * sign them out everywhere, each after a confirm, with the server's reason shown when it refuses.
 */
import { useInfiniteQuery, useQueryClient } from "@tanstack/preact-query";
import { useId, useState } from "preact/hooks";
import { itemsOf, PagedTable, ShowMore } from "../../components/paged_table.tsx";
import { ErrorNotice, Field, Loading, Page } from "../../components/ui.tsx";
import { api, type Schemas, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

type DirectoryUser = Schemas["DirectoryUser"];
type Role = DirectoryUser["role"];
const ROLES: Role[] = ["STUDENT", "ACADEMIC", "ADMIN"];
type Status = "active" | "deactivated";

/** `/admin/users`. */
export function AdminUsersPage() {
  const { t } = useI18n();
  const roleId = useId();
  const [typed, setTyped] = useState("");
  const [typedRole, setTypedRole] = useState<Role | "">("");
  const statusId = useId();
  const [typedStatus, setTypedStatus] = useState<Status>("active");
  const [search, setSearch] = useState<{ q: string; role: Role | ""; status: Status }>({
    q: "",
    role: "",
    status: "active",
  });
  const [selected, setSelected] = useState<DirectoryUser | null>(null);
  const list = useInfiniteQuery({
    queryKey: ["admin", "users", search],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/users", {
          params: {
            query: {
              q: search.q || undefined,
              role: search.role || undefined,
              status: search.status,
              cursor: pageParam,
              limit: 25,
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  return (
    <Page title={t("admin.users.title")} wide>
      <form
        role="search"
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          setSelected(null);
          setSearch({ q: typed.trim(), role: typedRole, status: typedStatus });
        }}
      >
        <Field
          label={t("admin.users.search")}
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <div class="field">
          <label for={roleId}>{t("admin.users.role")}</label>
          <select
            id={roleId}
            value={typedRole}
            onChange={(e) => setTypedRole(e.currentTarget.value as Role | "")}
          >
            <option value="">{t("admin.users.anyRole")}</option>
            {ROLES.map((r) => <option key={r} value={r}>{t(`admin.role.${r}`)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for={statusId}>{t("adminActions.status")}</label>
          <select
            id={statusId}
            value={typedStatus}
            onChange={(e) => setTypedStatus(e.currentTarget.value as Status)}
          >
            <option value="active">{t("adminActions.status.active")}</option>
            <option value="deactivated">{t("adminActions.status.deactivated")}</option>
          </select>
        </div>
        <button type="submit">{t("search.submit")}</button>
      </form>
      <PagedTable
        query={list}
        caption={t("admin.users.title")}
        columns={[
          t("auth.email"),
          t("admin.users.name"),
          t("admin.users.role"),
          { label: t("admin.users.actions"), hidden: true },
        ]}
        empty={t("admin.users.none")}
        row={(u) => (
          <tr key={u.id} aria-current={selected?.id === u.id ? "true" : undefined}>
            <th scope="row" dir="ltr">{u.email}</th>
            <td dir="auto">{u.fullName ?? u.displayName ?? ""}</td>
            <td>
              {t(`admin.role.${u.role}`)}
              {u.deactivatedAt && <span class="badge">{t("adminActions.status.deactivated")}</span>}
            </td>
            <td>
              <button type="button" class="quiet" onClick={() => setSelected(u)}>
                {t("admin.users.open", { email: u.email })}
              </button>
            </td>
          </tr>
        )}
      />
      {selected && <UserDetail key={selected.id} user={selected} onChanged={setSelected} />}
    </Page>
  );
}

function UserDetail(props: { user: DirectoryUser; onChanged: (user: DirectoryUser) => void }) {
  return (
    <section aria-labelledby="user-detail" class="insight-section card">
      <h2 id="user-detail" dir="ltr">{props.user.email}</h2>
      {/* Kept in place when the account is deactivated or reactivated, so its outcome stays on screen. */}
      <AccountActions user={props.user} onChanged={props.onChanged} />
      {!props.user.deactivatedAt && <ActiveUser {...props} />}
    </section>
  );
}

/** What only a live account shows: its role, its enrolments and the role change. */
function ActiveUser(props: { user: DirectoryUser; onChanged: (user: DirectoryUser) => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const roleId = useId();
  const reasonId = useId();
  const [role, setRole] = useState<Role>(props.user.role);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const enrolments = useInfiniteQuery({
    queryKey: ["admin", "users", props.user.id, "enrollments"],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET("/api/v1/users/{id}/enrollments", {
          params: { path: { id: props.user.id }, query: { cursor: pageParam, limit: 20 } },
        }),
      ),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const items = itemsOf(enrolments);

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    setDone(false);
    setBusy(true);
    try {
      const updated = unwrap(
        await api.PATCH("/api/v1/users/{id}/role", {
          params: { path: { id: props.user.id } },
          body: { role, reason: reason.trim() },
        }),
      );
      setDone(true);
      setReason("");
      props.onChanged({ ...props.user, role: updated.role });
      await queryClient.invalidateQueries({ queryKey: ["admin", "users"] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <p>{t("admin.users.current", { role: t(`admin.role.${props.user.role}`) })}</p>
      <h3>{t("admin.users.enrolments")}</h3>
      {enrolments.isPending && <Loading />}
      <ErrorNotice error={enrolments.error} onRetry={() => enrolments.refetch()} />
      {enrolments.isSuccess && items.length === 0 && <p>{t("admin.users.noEnrolments")}</p>}
      <ul>
        {items.map((e) => (
          <li key={e.id}>
            <span dir="ltr" class="code">{e.courseCode}</span> <span dir="auto">{e.courseTitle}</span>{" "}
            <span class="badge">
              {t(e.role === "instructor" ? "courses.role.instructor" : "courses.role.student")}
            </span>
          </li>
        ))}
      </ul>
      <ShowMore query={enrolments} />
      <form class="stack" onSubmit={submit}>
        <h3>{t("admin.users.changeRole")}</h3>
        <div class="field">
          <label for={roleId}>{t("admin.users.newRole")}</label>
          <select id={roleId} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => <option key={r} value={r}>{t(`admin.role.${r}`)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for={reasonId}>{t("admin.users.reason")}</label>
          <textarea
            id={reasonId}
            required
            maxLength={500}
            rows={2}
            aria-describedby={`${reasonId}-hint`}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <p id={`${reasonId}-hint`} class="hint">{t("admin.users.reasonHint")}</p>
        </div>
        <button type="submit" class="primary" disabled={busy || role === props.user.role || !reason.trim()}>
          {t("admin.users.save")}
        </button>
        <ErrorNotice error={error} />
        {done && <p role="status" class="notice">{t("admin.users.changed")}</p>}
      </form>
    </>
  );
}

type Action = "deactivate" | "reactivate" | "unlock" | "signOut";

/** Deactivate or reactivate, unlock, sign out everywhere: each asks first and shows the outcome or the refusal. */
function AccountActions(props: { user: DirectoryUser; onChanged: (user: DirectoryUser) => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { user } = props;

  async function run(action: Action) {
    if (!confirm(t(`adminActions.confirm.${action}`, { email: user.email }))) return;
    setError(null);
    setDone(null);
    setBusy(true);
    const path = { params: { path: { id: user.id } } };
    try {
      if (action === "deactivate") {
        unwrap(await api.DELETE("/api/v1/users/{id}", path));
        props.onChanged({ ...user, deactivatedAt: new Date().toISOString() });
        setDone(t("adminActions.done.deactivate"));
      } else if (action === "reactivate") {
        unwrap(await api.POST("/api/v1/users/{id}/reactivate", path));
        props.onChanged({ ...user, deactivatedAt: null });
        setDone(t("adminActions.done.reactivate"));
      } else if (action === "unlock") {
        const { failures } = unwrap(await api.POST("/api/v1/users/{id}/unlock", path));
        setDone(t("adminActions.done.unlock", { n: failures }));
      } else {
        unwrap(await api.POST("/api/v1/users/{id}/sign-out", path));
        setDone(t("adminActions.done.signOut"));
      }
      if (action === "deactivate" || action === "reactivate") {
        await queryClient.invalidateQueries({ queryKey: ["admin", "users"] });
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const actions: Action[] = user.deactivatedAt ? ["reactivate"] : ["unlock", "signOut", "deactivate"];
  return (
    <div class="stack">
      <h3>{t("adminActions.title")}</h3>
      {user.deactivatedAt && (
        <p>{t("adminActions.deactivatedOn", { date: user.deactivatedAt.slice(0, 10) })}</p>
      )}
      <div class="row">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            class={a === "deactivate" ? "danger" : undefined}
            disabled={busy}
            onClick={() => run(a)}
          >
            {t(`adminActions.${a}`)}
          </button>
        ))}
      </div>
      <ErrorNotice error={error} />
      {done && <p role="status" class="notice">{done}</p>}
    </div>
  );
}
