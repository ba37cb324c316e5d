/**
 * `deno task bench`: runs the project's benchmarks one after another (they share two cores, so never in
 * parallel) and prints a summary. Each benchmark is its own `deno task` and prints its own figures; this runner
 * keeps their output, times them, and lists what ran, what was skipped and why.
 *
 * Flags: `--only search,extraction` (names below), `--quick` (smaller search sizes: 10k only), `--list`.
 * A benchmark joins by adding a row to `BENCHES` with the task it defines; a row whose task is not in deno.json is
 * reported as skipped.
 */

interface Bench {
  name: string;
  /** The `deno task` that runs it. */
  task: string;
  args?: (quick: boolean) => string[];
  /** Why it cannot run here, or null when it can. */
  unavailable?: () => Promise<string | null>;
}

async function hasCommand(name: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", `command -v ${name}`],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** The benchmarks, in the order they run. */
const BENCHES: Bench[] = [
  {
    name: "search",
    task: "bench:search",
    args: (quick) => quick ? ["--sizes", "10000", "--queries", "100"] : [],
  },
  { name: "extraction", task: "bench:extraction" },
  {
    name: "edge",
    task: "bench:edge",
    unavailable: async () =>
      (await hasCommand("wrk")) ? null : "wrk is not installed (apt-get install -y wrk)",
  },
  { name: "chat", task: "bench:chat" },
  { name: "ingestion", task: "bench:ingestion" },
];

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

async function definedTasks(): Promise<Set<string>> {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  return new Set(Object.keys(config.tasks ?? {}));
}

/** What one benchmark did. */
interface Outcome {
  name: string;
  status: "ok" | "failed" | "skipped";
  seconds: number;
  note: string;
}

async function runBench(bench: Bench, quick: boolean): Promise<Outcome> {
  const started = performance.now();
  const args = ["task", bench.task, ...(bench.args?.(quick) ?? [])];
  console.log(`\n=== ${bench.name}: deno ${args.join(" ")}`);
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" }).spawn();
  const lines: string[] = [];
  const decoder = new TextDecoderStream();
  const reader = child.stdout.pipeThrough(decoder).getReader();
  let buffered = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    Deno.stdout.writeSync(new TextEncoder().encode(value));
    buffered += value;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    lines.push(...parts);
  }
  if (buffered) lines.push(buffered);
  const status = await child.status;
  const seconds = (performance.now() - started) / 1000;
  const tail = lines.filter((l) => l.trim()).slice(-1)[0] ?? "";
  return {
    name: bench.name,
    status: status.success ? "ok" : "failed",
    seconds,
    note: status.success ? tail : `exit ${status.code}`,
  };
}

if (import.meta.main) {
  const only = flag("only")?.split(",").map((s) => s.trim());
  const quick = Deno.args.includes("--quick");
  const tasks = await definedTasks();
  if (Deno.args.includes("--list")) {
    for (const b of BENCHES) {
      console.log(`${b.name.padEnd(12)} deno task ${b.task}${tasks.has(b.task) ? "" : " (not defined yet)"}`);
    }
    Deno.exit(0);
  }
  const outcomes: Outcome[] = [];
  for (const bench of BENCHES) {
    if (only && !only.includes(bench.name)) continue;
    if (!tasks.has(bench.task)) {
      outcomes.push({ name: bench.name, status: "skipped", seconds: 0, note: `no "${bench.task}" task yet` });
      continue;
    }
    const reason = await bench.unavailable?.();
    if (reason) {
      outcomes.push({ name: bench.name, status: "skipped", seconds: 0, note: reason });
      continue;
    }
    outcomes.push(await runBench(bench, quick));
  }
  console.log("\n=== summary");
  for (const o of outcomes) {
    console.log(
      `${o.name.padEnd(12)} ${o.status.padEnd(8)} ${o.seconds.toFixed(1).padStart(7)} s  ${o.note}`,
    );
  }
  if (outcomes.some((o) => o.status === "failed")) Deno.exit(1);
}
