/**
 * Backup → restore drill against a real Postgres: dumps the source database with `pg_dump` (custom format), restores
 * it with `pg_restore` into a NEW database on the same server, and compares the two: the row count of every table,
 * an order-independent checksum of the key tables, and the newest audit event (how recent the restored data is).
 *
 *   deno task db:restore-drill                       # DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test
 *   deno task db:restore-drill --keep                # leave the restored database for inspection
 *
 * Exits 1 when anything differs. Needs `pg_dump` and `pg_restore` of the server's major version on PATH. The drill
 * of a base backup with WAL replay (deploy/README.md) checks the restored server with the same comparison
 * (`compareDatabases`).
 */
import postgres from "postgres";

/** Tables whose full content is compared by checksum (the rest by row count). */
export const KEY_TABLES = [
  "users",
  "audit_events",
  "faculties",
  "semesters",
  "courses",
  "enrollments",
  "documents",
  "jobs",
] as const;

/** One table as seen in the source and in the restored copy. */
export interface TableComparison {
  table: string;
  sourceRows: number;
  restoredRows: number;
  /** md5 over the sorted md5s of every row (key tables only). */
  sourceChecksum?: string;
  restoredChecksum?: string;
}

/** What a drill found. */
export interface DrillReport {
  restoredUrl: string;
  tables: TableComparison[];
  /** Tables whose counts or checksums differ. */
  mismatches: string[];
  /** `max(timestamp)` of `audit_events` in the restored database: the recovery point's age. */
  latestAuditEvent: string | null;
  dumpMs: number;
  restoreMs: number;
  ok: boolean;
}

async function run(command: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output().catch(
    (err) => {
      throw new Error(`"${command}" could not run (${err}); install the PostgreSQL client tools`);
    },
  );
  if (out.code !== 0) {
    throw new Error(`${command} failed (exit ${out.code}): ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

function withDatabase(url: string, name: string): string {
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

/** Row counts and key-table checksums of one database. */
export async function snapshotDatabase(
  url: string,
): Promise<Map<string, { rows: number; checksum?: string }>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ name: string }[]>`
      select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
    const out = new Map<string, { rows: number; checksum?: string }>();
    for (const { name } of tables) {
      const ident = sql(name);
      const [{ rows }] = await sql<{ rows: string }[]>`select count(*) as rows from ${ident}`;
      let checksum: string | undefined;
      if ((KEY_TABLES as readonly string[]).includes(name)) {
        [{ checksum }] = await sql<{ checksum: string }[]>`
          select md5(coalesce(string_agg(h, '' order by h), '')) as checksum
          from (select md5(t::text) as h from ${ident} t) rows`;
      }
      out.set(name, { rows: Number(rows), checksum });
    }
    return out;
  } finally {
    await sql.end();
  }
}

/** Compares a source database with its restored copy. */
export async function compareDatabases(
  sourceUrl: string,
  restoredUrl: string,
): Promise<Pick<DrillReport, "tables" | "mismatches" | "latestAuditEvent">> {
  const [source, restored] = [await snapshotDatabase(sourceUrl), await snapshotDatabase(restoredUrl)];
  const tables: TableComparison[] = [];
  const mismatches: string[] = [];
  for (const table of new Set([...source.keys(), ...restored.keys()])) {
    const a = source.get(table);
    const b = restored.get(table);
    const row: TableComparison = {
      table,
      sourceRows: a?.rows ?? -1,
      restoredRows: b?.rows ?? -1,
      ...(a?.checksum !== undefined || b?.checksum !== undefined
        ? { sourceChecksum: a?.checksum, restoredChecksum: b?.checksum }
        : {}),
    };
    tables.push(row);
    if (row.sourceRows !== row.restoredRows || row.sourceChecksum !== row.restoredChecksum) {
      mismatches.push(table);
    }
  }
  const sql = postgres(restoredUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ latest }] = await sql<
      { latest: Date | null }[]
    >`select max("timestamp") as latest from audit_events`;
    return { tables, mismatches, latestAuditEvent: latest ? new Date(latest).toISOString() : null };
  } finally {
    await sql.end();
  }
}

/**
 * Dumps `sourceUrl`, restores it into a new database `<source>_drill_<time>` on the same server and compares. The
 * restored database is dropped afterwards unless `keep` is set.
 */
export async function runRestoreDrill(
  options: { sourceUrl: string; keep?: boolean },
): Promise<DrillReport> {
  const source = new URL(options.sourceUrl);
  const sourceName = decodeURIComponent(source.pathname.slice(1)) || "postgres";
  const restoredName = `${sourceName}_drill_${Date.now()}`.slice(0, 63);
  const restoredUrl = withDatabase(options.sourceUrl, restoredName);
  const dir = await Deno.makeTempDir({ prefix: "restore-drill-" });
  const dump = `${dir}/backup.dump`;
  const admin = postgres(withDatabase(options.sourceUrl, "postgres"), { max: 1, onnotice: () => {} });
  try {
    let started = performance.now();
    await run("pg_dump", ["--format=custom", "--file", dump, "--dbname", options.sourceUrl]);
    const dumpMs = performance.now() - started;
    await admin.unsafe(`create database "${restoredName}"`);
    started = performance.now();
    await run("pg_restore", ["--exit-on-error", "--no-owner", "--dbname", restoredUrl, dump]);
    const restoreMs = performance.now() - started;
    const compared = await compareDatabases(options.sourceUrl, restoredUrl);
    return { restoredUrl, ...compared, dumpMs, restoreMs, ok: compared.mismatches.length === 0 };
  } finally {
    if (!options.keep) await admin.unsafe(`drop database if exists "${restoredName}" with (force)`);
    await admin.end();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const sourceUrl = Deno.env.get("DATABASE_URL") || "postgres://postgres@127.0.0.1:5432/test";
  const keep = Deno.args.includes("--keep");
  const report = await runRestoreDrill({ sourceUrl, keep });
  for (const t of report.tables) {
    const flag = report.mismatches.includes(t.table) ? "MISMATCH" : "ok";
    console.log(
      `${flag.padEnd(8)} ${t.table.padEnd(28)} rows ${t.sourceRows} → ${t.restoredRows}` +
        (t.sourceChecksum
          ? `  md5 ${t.sourceChecksum.slice(0, 12)} → ${t.restoredChecksum?.slice(0, 12)}`
          : ""),
    );
  }
  console.log(`latest audit event: ${report.latestAuditEvent ?? "none"}`);
  console.log(`dump ${report.dumpMs.toFixed(0)} ms, restore ${report.restoreMs.toFixed(0)} ms`);
  if (keep) console.log(`restored database kept: ${report.restoredUrl}`);
  Deno.exit(report.ok ? 0 : 1);
}
