/**
 * Samples, once a second while the workload runs: RSS and CPU of every tier process (from /proc), the database's
 * connections (pg_stat_activity) and the job queue (depth by status, age of the oldest due job).
 */
import { sql } from "drizzle-orm";
import { queryRows } from "../../shared/db/client.ts";
import type { Stack } from "./stack.ts";

/** What one process used over the phase. */
export interface ProcessUsage {
  name: string;
  peakRssMb: number;
  /** Mean CPU over the phase, in percent of one core. */
  meanCpuPercent: number;
  peakCpuPercent: number;
}

/** Everything sampled over the phase. */
export interface Samples {
  processes: ProcessUsage[];
  peakPgConnections: number;
  peakQueued: number;
  peakRunning: number;
  oldestQueuedAgeSeconds: number;
  /** Machine-wide CPU busy over the phase, percent of all cores (/proc/stat: everything on the machine). */
  machineCpuPercent: number;
  /** Machine-wide CPU busy per sampling interval: median and peak, percent of all cores. */
  machineCpuP50Percent: number;
  machineCpuPeakPercent: number;
  /** The tier processes' CPU together over the phase, percent of all cores (the rest: harness, KV, Postgres, others). */
  tiersCpuPercent: number;
}

const TICKS = 100;

function procCpuSeconds(pid: number): number | undefined {
  try {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

function procRssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function machineCpu(): { busy: number; total: number } {
  const [, ...fields] = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/);
  const n = fields.map(Number);
  const idle = n[3] + (n[4] ?? 0);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Starts sampling; `stop()` ends it and returns what was seen. */
export function startMonitor(stack: Stack, intervalMs = 1000): { stop(): Promise<Samples> } {
  const usage = new Map<string, { peakRss: number; cpu: number[]; lastCpu?: number; lastAt?: number }>();
  let peakPg = 0;
  let peakQueued = 0;
  let peakRunning = 0;
  let oldest = 0;
  const machineStart = machineCpu();
  let machineLast = machineStart;
  const machineBusy: number[] = [];
  let sampling = Promise.resolve();
  const sample = async () => {
    const now = performance.now();
    const machine = machineCpu();
    if (machine.total > machineLast.total) {
      machineBusy.push((100 * (machine.busy - machineLast.busy)) / (machine.total - machineLast.total));
    }
    machineLast = machine;
    for (const p of stack.processes) {
      const u = usage.get(p.name) ?? { peakRss: 0, cpu: [] };
      usage.set(p.name, u);
      const rss = procRssMb(p.child.pid);
      if (rss !== undefined) u.peakRss = Math.max(u.peakRss, rss);
      const cpu = procCpuSeconds(p.child.pid);
      if (cpu !== undefined && u.lastCpu !== undefined && u.lastAt !== undefined && cpu >= u.lastCpu) {
        u.cpu.push((100 * (cpu - u.lastCpu)) / ((now - u.lastAt) / 1000));
      }
      u.lastCpu = cpu;
      u.lastAt = now;
    }
    try {
      const [conns] = await queryRows<{ n: number }>(
        stack.database.db,
        sql`select count(*)::int as n from pg_stat_activity where datname = current_database()`,
      );
      peakPg = Math.max(peakPg, conns.n);
      const [queue] = await queryRows<{ queued: number; running: number; oldest: number | null }>(
        stack.database.db,
        sql`select count(*) filter (where status in ('queued', 'failed') and run_after <= now())::int as queued,
          count(*) filter (where status = 'running')::int as running,
          extract(epoch from now() - min(run_after) filter (where status in ('queued', 'failed')
            and run_after <= now()))::float as oldest
          from jobs`,
      );
      peakQueued = Math.max(peakQueued, queue.queued);
      peakRunning = Math.max(peakRunning, queue.running);
      oldest = Math.max(oldest, queue.oldest ?? 0);
    } catch {
      // The database is cut (a fault): nothing to count this second.
    }
  };
  const timer = setInterval(() => {
    sampling = sampling.then(sample);
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      const machineEnd = machineCpu();
      const mean = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
      const processes = stack.processes.map((p) => {
        const u = usage.get(p.name) ?? { peakRss: 0, cpu: [] };
        return {
          name: p.name,
          peakRssMb: u.peakRss,
          meanCpuPercent: mean(u.cpu),
          peakCpuPercent: Math.max(0, ...u.cpu),
        };
      });
      const sorted = machineBusy.toSorted((a, b) => a - b);
      return {
        processes,
        machineCpuP50Percent: sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0,
        machineCpuPeakPercent: Math.max(0, ...sorted),
        tiersCpuPercent: processes.reduce((sum, p) => sum + p.meanCpuPercent, 0) /
          navigator.hardwareConcurrency,
        peakPgConnections: peakPg,
        peakQueued,
        peakRunning,
        oldestQueuedAgeSeconds: oldest,
        machineCpuPercent: (100 * (machineEnd.busy - machineStart.busy)) /
          (machineEnd.total - machineStart.total),
      };
    },
  };
}
