/**
 * `deno task load`: the production shape on this machine under a mixed workload of signed-in users, with a report.
 *
 * Starts 2 edge, 2 core and 2 workers processes (tools/load/stack.ts) on a throwaway database of the machine's
 * Postgres and the machine's Redis through the Upstash bridge, with labelled fakes for QStash, Qdrant and a
 * streaming model; ingests one real PDF; then runs the workload (tools/load/workload.ts) for `--duration`, samples
 * the processes, database and queue (tools/load/monitor.ts), checks that no job or chat turn was lost or doubled,
 * and writes the report (tools/load/report.ts) to `--report`. Exits 1 when the load phase had errors or the checks
 * failed. Everything it started is stopped and its database dropped, even when it fails.
 *
 * Flags (defaults are a small run): --chats 4 (concurrent streamed chats), --duration 20s, --connections 4
 * (autocannon connections per plain class, closed loop), --uploaders 1, --students 8, --academics 2, --edges 2,
 * --cores 2, --workers 2, --rate 0 (requests per second over the plain classes together, shared out evenly between
 * them and sent evenly paced, open loop, by tools/load/paced.ts; 0: closed loop with autocannon, as fast as answers
 * come), --warmup 10s (with --rate: the same paced load first, not counted: the tiers' first seconds of traffic
 * are slower), --exam-takers 2 (students sitting exams at once), --exam-authors 1 (academics generating exams
 * during the phase), --report docs/load-report.md, --log-level info, --postgres-url (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres: a database of
 * the run's own is created on that server and dropped),
 * --redis-url redis://127.0.0.1:6379, --redis-db 11 (or LOAD_REDIS_DB), --pdf fixtures/pdfs/en_cnx_simultaneous_equations_CC-BY-3.0.pdf,
 * --faults all (or words of their names: `qdrant,model,core,ingestion,grading,redis,restart,postgres`;
 * tools/load/faults.ts) to run the faults after the clean load phase, --own-redis (the KV on a redis-server the run
 * starts on a free port, --redis-server its command; on with `--faults all` or `restart`: the Redis-restart fault
 * restarts it), --keep-logs (keep the processes' logs even when every check passed), --core-env KEY=VALUE,...
 * (extra variables for the core processes, e.g. CHAT_TURNS_MAX=64).
 */
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { queryRows } from "../../shared/db/client.ts";
import { authorExam, examIntegrity, type ExamPool } from "./exams.ts";
import { runFaults } from "./faults.ts";
import { startMonitor } from "./monitor.ts";
import { errorCount, type FaultResult, type Integrity, machineInfo, renderReport } from "./report.ts";
import { percentile } from "./stats.ts";
import { startStack } from "./stack.ts";
import { runWorkload, uploadAndIngest } from "./workload.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** Parses `60s`, `2m` or a bare number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`--duration must look like 60s or 2m, got "${text}"`);
  return Number(m[1]) * (m[2] === "m" ? 60 : 1);
}

/** Options of one run, with the defaults of a small run. */
export interface LoadOptions {
  chats: number;
  durationSeconds: number;
  connections: number;
  /** Requests per second over the plain classes together (evenly paced, open loop); 0: closed loop. */
  rate: number;
  /**
   * Seconds of the same paced plain load before the measured phase (with `rate`), not counted: the tiers' first
   * seconds of traffic (code compiled on first use, pool connections opened and their statements prepared) are
   * slower, and a steady-state percentile must not mix them in. The warm-up's own p99 is logged.
   */
  warmupSeconds: number;
  uploaders: number;
  students: number;
  academics: number;
  edges: number;
  cores: number;
  workers: number;
  examTakers: number;
  examAuthors: number;
  report: string;
  logLevel: string;
  postgresUrl: string;
  redisUrl: string;
  redisDb: number;
  pdf: string;
  /** Faults to run after the clean load phase: `all`, or words matching their names (`qdrant,model`); empty: none. */
  faults: string;
  /** Run the KV on a redis-server of the run's own (needed by the Redis-restart fault; on with `--faults all`). */
  ownRedis: boolean;
  redisServer: string;
  /** Keep the processes' logs even when every check passed (they are kept anyway when one failed). */
  keepLogs: boolean;
  /** `--core-env KEY=VALUE,KEY=VALUE`: extra variables for the core processes. */
  coreEnv: Record<string, string>;
}

/** Reads the flags. */
export function loadOptions(args: string[]): LoadOptions {
  const { values } = parseArgs({
    args,
    options: {
      chats: { type: "string", default: "4" },
      duration: { type: "string", default: "20s" },
      connections: { type: "string", default: "4" },
      rate: { type: "string", default: "0" },
      warmup: { type: "string", default: "10s" },
      uploaders: { type: "string", default: "1" },
      students: { type: "string" },
      academics: { type: "string", default: "2" },
      edges: { type: "string", default: "2" },
      cores: { type: "string", default: "2" },
      workers: { type: "string", default: "2" },
      "exam-takers": { type: "string", default: "2" },
      "exam-authors": { type: "string", default: "1" },
      report: { type: "string", default: "docs/load-report.md" },
      "log-level": { type: "string", default: "info" },
      "postgres-url": {
        type: "string",
        default: Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres",
      },
      "redis-url": { type: "string", default: Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379" },
      "redis-db": { type: "string", default: Deno.env.get("LOAD_REDIS_DB") ?? "11" },
      pdf: { type: "string", default: "fixtures/pdfs/en_cnx_simultaneous_equations_CC-BY-3.0.pdf" },
      faults: { type: "string", default: "" },
      "own-redis": { type: "boolean", default: false },
      "redis-server": { type: "string", default: "redis-server" },
      "keep-logs": { type: "boolean", default: false },
      "core-env": { type: "string", default: "" },
    },
  });
  const int = (name: string, v: string, min = 0) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      throw new Error(`--${name} must be an integer >= ${min}, got "${v}"`);
    }
    return n;
  };
  const chats = int("chats", values.chats);
  return {
    chats,
    durationSeconds: parseDuration(values.duration),
    connections: int("connections", values.connections, 1),
    rate: int("rate", values.rate),
    warmupSeconds: parseDuration(values.warmup),
    uploaders: int("uploaders", values.uploaders),
    students: int("students", values.students ?? String(Math.max(8, Math.min(chats, 2000))), 1),
    academics: int("academics", values.academics, 1),
    edges: int("edges", values.edges, 1),
    cores: int("cores", values.cores, 1),
    workers: int("workers", values.workers, 1),
    examTakers: int("exam-takers", values["exam-takers"]),
    examAuthors: int("exam-authors", values["exam-authors"]),
    report: values.report,
    logLevel: values["log-level"],
    postgresUrl: values["postgres-url"],
    redisUrl: values["redis-url"],
    redisDb: int("redis-db", values["redis-db"]),
    pdf: values.pdf.startsWith("/") ? values.pdf : `${ROOT}${values.pdf}`,
    faults: values.faults,
    ownRedis: values["own-redis"] || values.faults === "all" || /restart/i.test(values.faults),
    redisServer: values["redis-server"],
    keepLogs: values["keep-logs"],
    coreEnv: coreEnvOf(values["core-env"]),
  };
}

/** What a run produced. */
export interface LoadRun {
  errors: number;
  integrity: Integrity;
  reportPath: string;
  ok: boolean;
}

async function commitOf(): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "--short", "HEAD"],
      cwd: ROOT,
      stdout: "piped",
    })
      .output();
    return new TextDecoder().decode(out.stdout).trim() || "unknown";
  } catch {
    return "unknown";
  }
}

/** Runs the whole thing: stack, warm-up ingestion, load phase, checks, report. */
export async function runLoad(
  options: LoadOptions,
  log: (line: string) => void = console.log,
): Promise<LoadRun> {
  const startedAt = new Date();
  const machine = machineInfo();
  const logDir = await Deno.makeTempDir({ prefix: "load-logs-" });
  log(
    `starting ${options.edges} edge, ${options.cores} core, ${options.workers} workers (logs in ${logDir})`,
  );
  const stack = await startStack({
    edges: options.edges,
    cores: options.cores,
    workers: options.workers,
    students: options.students,
    academics: options.academics,
    postgresUrl: options.postgresUrl,
    redisUrl: options.redisUrl,
    redisDb: options.redisDb,
    ownRedis: options.ownRedis,
    redisServer: options.redisServer,
    logLevel: options.logLevel,
    logDir,
    coreEnv: options.coreEnv,
  });
  let keepLogs = true;
  try {
    // The course needs content before students ask about it: one PDF through the whole ingestion path first.
    log(`ready; ingesting ${options.pdf.split("/").at(-1)} before the load phase`);
    const pdf = await Deno.readFile(options.pdf);
    const first = await uploadAndIngest(stack.edgeUrls[0], stack.academics[0], stack.courseId, pdf);
    if (first.status !== "succeeded") throw new Error(`the first ingestion ended ${first.status}`);
    // Students sit an exam from the start: one generated from that material and published first.
    const exams: ExamPool = { published: [], used: new Map() };
    if (options.examTakers > 0) {
      const authored = await authorExam(stack.edgeUrls[0], stack.academics.at(-1)!, stack.courseId);
      if (authored.outcome !== "published") throw new Error(`the first exam: ${authored.outcome}`);
      exams.published.push(authored.examId);
    }

    if (options.rate && options.warmupSeconds > 0) {
      const warm = await runWorkload(stack, {
        chats: 0,
        durationSeconds: options.warmupSeconds,
        connections: options.connections,
        rate: options.rate,
        uploaders: 0,
        pdfPath: options.pdf,
      });
      const plain = warm.filter((c) => c.paced);
      log(
        `warm-up (${options.warmupSeconds} s at ${options.rate}/s, not counted): p99 ${
          plain.map((c) => `${percentile(c.latenciesMs, 0.99).toFixed(0)} ms`).join(" / ")
        }, ${errorCount(plain)} errors`,
      );
    }
    log(`load phase: ${options.chats} streamed chats, ${options.durationSeconds} s`);
    const monitor = startMonitor(stack);
    const classes = await runWorkload(stack, {
      chats: options.chats,
      durationSeconds: options.durationSeconds,
      connections: options.connections,
      rate: options.rate,
      uploaders: options.uploaders,
      pdfPath: options.pdf,
      examTakers: options.examTakers,
      examAuthors: options.examAuthors,
      exams,
    });
    const samples = await monitor.stop();
    const loadAverageAtEnd = Deno.loadavg().map((n) => n.toFixed(2)).join(" ");

    let faults: FaultResult[] = [];
    const faultTurns = { accepted: 0, completed: 0 };
    if (options.faults) {
      const only = options.faults === "all"
        ? undefined
        : options.faults.toLowerCase().split(",").map((f) => f.trim());
      const run = await runFaults(
        stack,
        {
          chats: options.chats,
          connections: options.connections,
          uploaders: 0,
          pdfPath: options.pdf,
          examTakers: options.examTakers,
          exams,
        },
        log,
        only,
      );
      faults = run.results;
      for (const phase of run.classes) {
        faultTurns.accepted += phase[0].latenciesMs.length;
        faultTurns.completed += phase[0].ok;
      }
    }

    // Let the queue drain, then account for every job and turn.
    const drainUntil = Date.now() + 120_000;
    let unfinished = 0;
    do {
      const [row] = await queryRows<{ n: number }>(
        stack.database.db,
        // Jobs scheduled for later (an attempt's auto-submission at its deadline) are not due: not waited for.
        sql`select count(*)::int as n from jobs where status not in ('succeeded', 'dead')
          and (run_after is null or run_after <= now())`,
      );
      unfinished = row.n;
      if (unfinished > 0) await new Promise((r) => setTimeout(r, 1000));
    } while (unfinished > 0 && Date.now() < drainUntil);
    const [jobs] = await queryRows<{ total: number; succeeded: number; dead: number; scheduled: number }>(
      stack.database.db,
      sql`select count(*)::int as total, count(*) filter (where status = 'succeeded')::int as succeeded,
        count(*) filter (where status = 'dead')::int as dead,
        count(*) filter (where status not in ('succeeded', 'dead') and run_after > now())::int as scheduled
        from jobs`,
    );
    const [dup] = await queryRows<{ n: number }>(
      stack.database.db,
      sql`select count(*)::int as n from (select document_id, generation, ordinal from document_chunks
        group by 1, 2, 3 having count(*) > 1) d`,
    );
    const [turns] = await queryRows<{ questions: number; answers: number; complete: number }>(
      stack.database.db,
      sql`select count(*) filter (where role = 'user')::int as questions,
        count(*) filter (where role = 'assistant')::int as answers,
        count(*) filter (where role = 'assistant' and status = 'complete')::int as complete from chat_messages`,
    );
    const chat = classes[0];
    const examChecks = await examIntegrity(stack.database);
    const integrity: Integrity = {
      ...examChecks,
      jobsTotal: jobs.total,
      jobsSucceeded: jobs.succeeded,
      jobsDead: jobs.dead,
      jobsUnfinished: unfinished,
      jobsScheduled: jobs.scheduled,
      duplicateChunks: dup.n,
      turnsAccepted: chat.latenciesMs.length + faultTurns.accepted,
      questionsStored: turns.questions,
      answersStored: turns.answers,
      answersComplete: turns.complete,
    };
    const errors = errorCount(classes);
    const report = renderReport({
      startedAt,
      commit: await commitOf(),
      flags: {
        chats: options.chats,
        duration: `${options.durationSeconds}s`,
        connections: options.connections,
        ...(options.rate ? { rate: options.rate, warmup: `${options.warmupSeconds}s` } : {}),
        uploaders: options.uploaders,
        students: options.students,
        academics: options.academics,
        edges: options.edges,
        cores: options.cores,
        workers: options.workers,
        "exam-takers": options.examTakers,
        "exam-authors": options.examAuthors,
        ...(options.ownRedis ? { "own-redis": "on" } : {}),
        ...(options.faults ? { faults: options.faults } : {}),
        ...(Object.keys(options.coreEnv).length
          ? { "core-env": Object.entries(options.coreEnv).map(([k, v]) => `${k}=${v}`).join(",") }
          : {}),
      },
      machine,
      classes,
      samples,
      integrity,
      faults,
      durationSeconds: options.durationSeconds,
      loadAverageAtEnd,
    });
    const reportPath = options.report.startsWith("/") ? options.report : `${ROOT}${options.report}`;
    await Deno.writeTextFile(reportPath, report);
    const ok = errors === 0 && integrity.jobsUnfinished === 0 && integrity.jobsDead === 0 &&
      integrity.duplicateChunks === 0 && integrity.questionsStored >= integrity.turnsAccepted &&
      integrity.answersStored >= chat.ok + faultTurns.completed && faults.every((f) => f.ok) &&
      integrity.attemptsGraded === integrity.attemptsSubmitted && integrity.gradedTwice === 0 &&
      integrity.answersUngraded === 0;
    log(`report written to ${reportPath}: ${errors} errors, ${ok ? "checks passed" : "CHECKS FAILED"}`);
    keepLogs = !ok || options.keepLogs;
    return { errors, integrity, reportPath, ok };
  } finally {
    await stack.stop();
    if (keepLogs) log(`the processes' logs are kept in ${logDir}`);
    else await Deno.remove(logDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const run = await runLoad(loadOptions(Deno.args));
  Deno.exit(run.ok ? 0 : 1);
}

/** `KEY=VALUE,KEY=VALUE` as variables; an entry without `=` is refused. */
function coreEnvOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`--core-env takes KEY=VALUE pairs, got "${pair}"`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}
