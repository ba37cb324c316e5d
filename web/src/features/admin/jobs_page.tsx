/**
 * Jobs and system health for admins (`/admin/jobs`): each tier's readiness (the edge's own `/readyz`, which checks
 * core; the workers' through core's `GET /v1/system/health`, which asks their `/readyz`) and the job queue, then the jobs of one status, newest first and paged by the API's cursor; a dead
 * job shows why it died and can be queued again (the server's refusal is shown when it will not).
 */
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/preact-query";
import { useId, useState } from "preact/hooks";
import { PagedTable } from "../../components/paged_table.tsx";
import { ErrorNotice, Loading, Page } from "../../components/ui.tsx";
import { api, type Schemas, unwrap } from "../../lib/api.ts";
import { useI18n } from "../../lib/i18n.tsx";

type Job = Schemas["Job"];
type Status = Job["status"];
const STATUSES: Status[] = ["dead", "failed", "queued", "running", "succeeded"];

interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; reason?: string }>;
  message?: string;
}

/** The edge's readiness (`/readyz` beside the app: not an API route, so a plain request). */
async function readiness(): Promise<Readiness> {
  const res = await fetch("/readyz", { headers: { accept: "application/json" } });
  const body = await res.json().catch(() => ({}));
  if (res.ok) return { ready: true, checks: body.checks ?? {} };
  return { ready: false, checks: body.error?.details ?? {}, message: body.error?.message };
}

/** `/admin/jobs`. */
export function AdminJobsPage() {
  const { t } = useI18n();
  return (
    <Page title={t("jobs.title")} wide>
      <Health />
      <Jobs />
    </Page>
  );
}

function Health() {
  const { t } = useI18n();
  const health = useQuery({ queryKey: ["admin", "health"], queryFn: readiness, refetchInterval: 30_000 });
  const report = useQuery({
    queryKey: ["admin", "system-health"],
    queryFn: async () => unwrap(await api.GET("/api/v1/system/health")),
    refetchInterval: 30_000,
  });
  const version = useQuery({
    queryKey: ["admin", "version"],
    queryFn: async () => unwrap(await api.GET("/api/v1/version")),
  });
  const rows: { tier: string; ok: boolean; reason?: string }[] = health.data
    ? [
      { tier: "edge", ok: true },
      ...Object.entries(health.data.checks).map(([tier, r]) => ({ tier, ok: r.ok, reason: r.reason })),
    ]
    : [];
  return (
    <section aria-labelledby="health-title" class="insight-section">
      <h2 id="health-title">{t("health.title")}</h2>
      {health.isPending && <Loading />}
      <ErrorNotice error={health.error} onRetry={() => health.refetch()} />
      {health.data && (
        <p role="status" class={health.data.ready ? "notice" : "notice error"}>
          {health.data.ready
            ? t("health.ready")
            : t("health.notReady", { message: health.data.message ?? "" })}
        </p>
      )}
      {rows.length > 0 && (
        <ul>
          {rows.map((r) => (
            <li key={r.tier}>
              <strong>{r.tier === "edge" || r.tier === "core" ? t(`health.tier.${r.tier}`) : r.tier}</strong>
              {": "}
              {r.ok ? t("health.ok") : t("health.down", { reason: r.reason ?? "" })}
            </li>
          ))}
          <li>
            <strong>{t("health.tier.workers")}</strong>
            {": "}
            {!report.data
              ? (report.error ? t("health.workersUnknown") : t("app.loading"))
              : report.data.workers.ok === null
              ? t("health.notChecked", { reason: report.data.workers.reason ?? "" })
              : report.data.workers.ok
              ? t("health.ok")
              : t("health.down", { reason: report.data.workers.reason ?? "" })}
          </li>
        </ul>
      )}
      {report.data && (
        <p>
          {report.data.queue.oldestQueuedSeconds === null
            ? t("health.queueIdle", { dead: report.data.queue.dead })
            : t("health.queue", {
              queued: report.data.queue.queued,
              seconds: report.data.queue.oldestQueuedSeconds,
              dead: report.data.queue.dead,
            })}
        </p>
      )}
      {version.data && <p class="muted">{t("health.version", version.data)}</p>}
    </section>
  );
}

function Jobs() {
  const { t, language } = useI18n();
  const statusId = useId();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status>("dead");
  const [error, setError] = useState<unknown>(null);
  const [retried, setRetried] = useState<string | null>(null);
  const time = new Intl.DateTimeFormat(language, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  });
  const list = useInfiniteQuery({
    queryKey: ["admin", "jobs", status],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET("/api/v1/jobs", { params: { query: { status, cursor: pageParam, limit: 25 } } })),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

  async function retry(job: Job) {
    if (!confirm(t("jobs.confirmRetry", { type: job.type }))) return;
    setError(null);
    setRetried(null);
    try {
      unwrap(await api.POST("/api/v1/jobs/{id}/retry", { params: { path: { id: job.id } } }));
      setRetried(job.type);
      await queryClient.invalidateQueries({ queryKey: ["admin", "jobs"] });
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section aria-labelledby="jobs-title" class="insight-section">
      <h2 id="jobs-title">{t("jobs.list")}</h2>
      <div class="field">
        <label for={statusId}>{t("jobs.status")}</label>
        <select id={statusId} value={status} onChange={(e) => setStatus(e.currentTarget.value as Status)}>
          {STATUSES.map((s) => <option key={s} value={s}>{t(`jobs.status.${s}`)}</option>)}
        </select>
      </div>
      <ErrorNotice error={error} />
      {retried && <p role="status" class="notice">{t("jobs.retried", { type: retried })}</p>}
      <PagedTable
        query={list}
        caption={t("jobs.list")}
        columns={[
          t("jobs.type"),
          t("jobs.created"),
          t("jobs.attempts"),
          t("jobs.reason"),
          { label: t("admin.users.actions"), hidden: true },
        ]}
        empty={t("jobs.none")}
        row={(job) => (
          <tr key={job.id}>
            <th scope="row" dir="ltr" class="code">{job.type}</th>
            <td>{time.format(new Date(job.createdAt))}</td>
            <td>{job.maxAttempts ? `${job.attempts} / ${job.maxAttempts}` : job.attempts}</td>
            <td dir="auto">{job.error ?? ""}</td>
            <td>
              {job.status === "dead" && (
                <button type="button" onClick={() => retry(job)}>
                  {t("jobs.retry", { type: job.type })}
                </button>
              )}
            </td>
          </tr>
        )}
      />
    </section>
  );
}
