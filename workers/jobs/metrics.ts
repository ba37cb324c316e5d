import client from "prom-client";
import { type Database, queryRows, sql } from "../../shared/db/client.ts";
import { JOB_STATUSES } from "../../shared/db/schema/jobs.ts";

/** Job metrics of the workers tier: runs by outcome, run time, and (read at scrape) jobs by type and status. */
export interface JobMetrics {
  runs: client.Counter<"type" | "outcome">;
  duration: client.Histogram<"type">;
}

/** Registers job metrics; the gauges query the database when `/metrics` is scraped. */
export function registerJobMetrics(registry: client.Registry, database: Database): JobMetrics {
  const runs = new client.Counter({
    name: "job_runs_total",
    help: "Job attempts run by this process, by type and outcome (succeeded, retry, dead, lost)",
    labelNames: ["type", "outcome"] as const,
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: "job_run_duration_seconds",
    help: "Duration of job attempts in seconds, by type",
    labelNames: ["type"] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
    registers: [registry],
  });
  new client.Gauge({
    name: "jobs",
    help: "Jobs in the database, by type and status",
    labelNames: ["type", "status"] as const,
    registers: [registry],
    async collect() {
      const rows = await queryRows<{ type: string; status: string; n: number | string }>(
        database.read,
        sql`select type, status, count(*)::int as n from jobs where deleted_at is null group by type, status`,
      );
      this.reset();
      const types = new Set(rows.map((r) => r.type));
      // Every status of every seen type, zeros included, so alerts on e.g. `dead > 0` have a series to watch.
      for (const type of types) for (const status of JOB_STATUSES) this.set({ type, status }, 0);
      for (const r of rows) this.set({ type: r.type, status: r.status }, Number(r.n));
    },
  });
  new client.Gauge({
    name: "jobs_oldest_queued_age_seconds",
    help: "Seconds the oldest due job (queued or awaiting retry) has waited to be picked up; 0 when none",
    registers: [registry],
    async collect() {
      const [row] = await queryRows<{ age: number | string | null }>(
        database.read,
        sql`select extract(epoch from now() - min(run_after))::float8 as age from jobs
            where status in ('queued', 'failed') and run_after <= now() and deleted_at is null`,
      );
      this.set(Math.max(0, Number(row?.age ?? 0)));
    },
  });
  return { runs, duration };
}
