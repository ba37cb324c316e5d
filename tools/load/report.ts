import type { ExamIntegrity } from "./exams.ts";
/** Writes the load run's report (docs/load-report.md by default) as Markdown. */
import type { Samples } from "./monitor.ts";
import type { ClassResult } from "./workload.ts";
import { percentile } from "./stats.ts";

/** What the run checked after the load: jobs, turns and exam attempts accounted for. */
export interface Integrity extends ExamIntegrity {
  jobsTotal: number;
  jobsSucceeded: number;
  /** Jobs not in a final state once the queue was given time to drain. */
  jobsUnfinished: number;
  /** Jobs not due yet (auto-submissions at attempts' deadlines), left queued. */
  jobsScheduled: number;
  jobsDead: number;
  /** Chunks stored twice for the same document, generation and position (a job run twice writing twice). */
  duplicateChunks: number;
  /** Chat turns the clients saw accepted (200) vs questions stored. */
  turnsAccepted: number;
  questionsStored: number;
  answersStored: number;
  /** Answers stored as complete. */
  answersComplete: number;
}

/** A fault injected during the run and what was seen. */
export interface FaultResult {
  name: string;
  effect: string;
  ok: boolean;
  /** Whether the phase's errors were held against the declaration (else the verdict rests on recovery alone). */
  judged: boolean;
}

/** Everything the report shows. */
export interface ReportInput {
  startedAt: Date;
  commit: string;
  flags: Record<string, string | number>;
  machine: { cpus: number; cpuModel: string; memoryGb: number; loadAverageAtStart: string };
  classes: ClassResult[];
  samples: Samples;
  integrity: Integrity;
  faults: FaultResult[];
  durationSeconds: number;
  /** Load average right after the load phase. */
  loadAverageAtEnd?: string;
}

/** The machine this runs on, from /proc. */
export function machineInfo(): ReportInput["machine"] {
  const cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  const meminfo = Deno.readTextFileSync("/proc/meminfo");
  return {
    cpus: navigator.hardwareConcurrency,
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    memoryGb: Math.round(Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0) / 1024 / 1024 * 10) / 10,
    loadAverageAtStart: Deno.loadavg().map((n) => n.toFixed(2)).join(" "),
  };
}

/** Total errors of the load phase, all classes. */
export function errorCount(classes: ClassResult[]): number {
  return classes.reduce((sum, c) => sum + Object.values(c.errors).reduce((a, b) => a + b, 0), 0);
}

const ms = (n: number) => Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : "–";

/** The slowest answers of the paced classes with their request ids, to find them in the tiers' logs. */
function slowest(classes: ClassResult[]): string {
  const lines = classes.filter((c) => c.paced?.slowest.length).map((c) =>
    `- ${c.name}: ${c.paced!.slowest.slice(0, 5).map(([t, id]) => `${ms(t)} ms \`${id}\``).join(", ")}`
  );
  return lines.length
    ? `\n\nSlowest answers (request ids as in the access logs):\n\n${lines.join("\n")}`
    : "";
}

/** Renders the report. */
export function renderReport(r: ReportInput): string {
  const rows = r.classes.map((c) => {
    const errors = Object.entries(c.errors).map(([k, v]) => `${v} × ${k}`).join(", ") || "0";
    if (c.autocannon) {
      const a = c.autocannon;
      return `| ${c.name} | ${a.total} | ${errors} | ${ms(a.p50)} | ${ms(a.p97_5)}† | ${ms(a.p99)} | ${
        a.rps.toFixed(0)
      } |`;
    }
    const n = c.latenciesMs.length;
    const rate = c.ok / r.durationSeconds;
    const paced = c.paced
      ? ` (asked ${c.paced.rate}; sent ${c.paced.sent}, generator lag p99 ${ms(c.paced.sendLagP99Ms)} ms)`
      : "";
    return `| ${c.name} | ${n} | ${errors} | ${ms(percentile(c.latenciesMs, 0.5))} | ${
      ms(percentile(c.latenciesMs, 0.95))
    } | ${ms(percentile(c.latenciesMs, 0.99))} | ${rate.toFixed(1)}${paced} |${c.note ? ` ${c.note}` : ""}`;
  });
  const procs = r.samples.processes.map((p) =>
    `| ${p.name} | ${p.peakRssMb.toFixed(0)} | ${p.meanCpuPercent.toFixed(0)} | ${
      p.peakCpuPercent.toFixed(0)
    } |`
  );
  const i = r.integrity;
  const faults = r.faults.length
    ? r.faults.map((f) =>
      `| ${f.name} | ${f.effect} | ${
        !f.ok ? "NOT as declared" : f.judged ? "as declared" : "recovered (errors not judged)"
      } |`
    )
    : ["| (none run) | | |"];
  return `# Load report

Written by \`deno task load\` (tools/load/main.ts) on ${r.startedAt.toISOString()}, commit \`${r.commit}\`.
Regenerate with \`deno task load\` and the flags below; figures depend on the machine and on what else runs on it.

## Machine and run

- Machine: ${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.memoryGb} GB RAM; load average at start
  ${r.machine.loadAverageAtStart} (other work on the machine counts: compare runs on a quiet machine only).
- Flags: ${Object.entries(r.flags).map(([k, v]) => `\`--${k} ${v}\``).join(", ")}.
- Shape: ${r.flags.edges} edge, ${r.flags.cores} core and ${r.flags.workers} workers processes (\`deno run -A <tier>/main.ts\`, as
  \`deno task start:*\`), cores and workers behind round-robin TCP relays; a throwaway database on the machine's
  Postgres; the KV on ${
    r.flags["own-redis"]
      ? "a redis-server of the run's own (no persistence)"
      : "the machine's Redis (its own database index)"
  } through the Upstash REST bridge; labelled fakes
  for QStash (signed deliveries to the workers), Qdrant and the model (first token after 300 ms, then 30 tokens/s).
- Machine CPU busy during the load phase (/proc/stat, everything on the machine): mean ${
    r.samples.machineCpuPercent.toFixed(0)
  }% of all cores, per second median ${r.samples.machineCpuP50Percent.toFixed(0)}% and peak ${
    r.samples.machineCpuPeakPercent.toFixed(0)
  }%; the tier processes together ${r.samples.tiersCpuPercent.toFixed(0)}%. Load average at the end ${
    r.loadAverageAtEnd ?? "–"
  }.

## Route classes (load phase, ${r.durationSeconds} s)

| Class | Requests | Errors | p50 ms | p95 ms | p99 ms | Throughput /s |
| ----- | -------: | ------ | -----: | -----: | -----: | ------------: |
${rows.join("\n")}

${
    r.flags.rate
      ? `Plain classes are driven at a fixed rate, \`--rate ${r.flags.rate}\` requests per second shared out between them, by an
evenly paced open-loop generator (tools/load/paced.ts): sends at fixed intervals whatever the answers do, each
latency timed from the request's scheduled send, so the generator's own lateness counts against it`
      : `† autocannon reports p97.5, not p95. Plain classes are driven by autocannon, closed loop`
  }, each request signed in as the class's users in turn; chat turns are timed by the client from the request to
the stream's end.${slowest(r.classes)}

## Processes

| Process | Peak RSS MB | Mean CPU % | Peak CPU % |
| ------- | ----------: | ---------: | ---------: |
${procs.join("\n")}

- Postgres connections of the run's database, peak: ${r.samples.peakPgConnections}.
- Job queue: peak due ${r.samples.peakQueued}, peak running ${r.samples.peakRunning}, oldest due job ${
    r.samples.oldestQueuedAgeSeconds.toFixed(1)
  } s.

## Nothing lost, nothing doubled

- Jobs: ${i.jobsTotal} in total, ${i.jobsSucceeded} succeeded, ${i.jobsDead} dead, ${i.jobsUnfinished} unfinished after the drain,
  ${i.jobsScheduled} scheduled for later (auto-submission at an attempt's deadline).
- Chunks stored twice for one document position: ${i.duplicateChunks}.
- Chat: ${i.turnsAccepted} turns accepted by the API, ${i.questionsStored} questions and ${i.answersStored} answers stored
  (${i.answersComplete} complete).
- Exams: ${i.attemptsSubmitted} attempts submitted, ${i.attemptsGraded} graded, ${i.gradedTwice} graded more than once
  (one grade notification each), ${i.answersUngraded} answers of graded attempts without a grade.

## Faults

| Fault | Effect | Verdict |
| ----- | ------ | ------- |
${faults.join("\n")}
`;
}
