/**
 * The tier boundaries of README's layout section, read from `deno info --json` over every module of the repository
 * (type-only and dynamic imports count as edges): what each tier's entry point loads, who imports `tools/`, which
 * production modules import each other in a circle, and that `shared/` holds only code more than one tier loads.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const SKIP_DIRS = new Set(["node_modules", "dist", "coverage", "fixtures", "migrations"]);

/** Every .ts/.tsx file of the repository, as a path relative to its root. */
async function repoFiles(dir = ROOT, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory) {
      if (SKIP_DIRS.has(entry.name)) continue;
      out.push(...await repoFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`));
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
      out.push(`${prefix}${entry.name}`);
    }
  }
  return out;
}

type Graph = Map<string, Set<string>>;

/** The local import graph of `files` (path -> paths it imports), from one `deno info --json` over all of them. */
async function importGraph(files: string[]): Promise<Graph> {
  const dir = await Deno.makeTempDir();
  try {
    const root = `${dir}/all.ts`;
    await Deno.writeTextFile(
      root,
      files.map((f) => `import ${JSON.stringify(new URL(f, ROOT).href)};`).join("\n"),
    );
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", new URL("deno.json", ROOT).pathname, root],
      cwd: ROOT.pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const info = JSON.parse(new TextDecoder().decode(stdout)) as {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
      }[];
    };
    const local = (s: string | undefined) => s?.startsWith(ROOT.href) ? s.slice(ROOT.href.length) : undefined;
    const graph: Graph = new Map();
    for (const m of info.modules) {
      const from = local(m.specifier);
      if (!from) continue;
      const to = new Set<string>();
      for (const d of m.dependencies ?? []) {
        for (const s of [d.code?.specifier, d.type?.specifier]) {
          const path = local(s);
          if (path && path !== from) to.add(path);
        }
      }
      graph.set(from, to);
    }
    return graph;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Modules reachable from `entry` (itself included). */
function closure(graph: Graph, entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length) {
    const m = stack.pop()!;
    if (seen.has(m)) continue;
    seen.add(m);
    for (const d of graph.get(m) ?? []) stack.push(d);
  }
  return seen;
}

/** Test files and test helpers: `*_test.ts`, `testing*.ts(x)`, anything under a `testing/`, `tests/` or `testdata/` folder. */
export function isTestCode(path: string): boolean {
  return /_test\.tsx?$/.test(path) || /(^|\/)testing[^/]*\.tsx?$/.test(path) ||
    /(^|\/)(testing|tests|testdata)\//.test(path);
}

/** Strongly connected components with more than one module (Tarjan), each sorted. */
function circles(graph: Graph, nodes: Set<string>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!nodes.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return out;
}

const tierOf = (path: string) => path.split("/")[0];
const TIERS = ["edge", "core", "workers"];
const ENTRIES: Record<string, string> = {
  edge: "edge/main.ts",
  core: "core/main.ts",
  workers: "workers/main.ts",
  web: "web/src/main.tsx",
};

const graph = await importGraph(await repoFiles());
const loads = Object.fromEntries(
  Object.entries(ENTRIES).map(([tier, entry]) => [tier, closure(graph, entry)]),
);
const outside = (tier: string, allowed: string[]) =>
  [...loads[tier]].filter((m) => !allowed.includes(tierOf(m))).sort();

Deno.test("each tier's entry point loads only its own modules and shared/", () => {
  for (const tier of TIERS) {
    assert.ok(loads[tier].size > 10, `${ENTRIES[tier]} was read`);
    assert.deepEqual(outside(tier, [tier, "shared"]), [], `${ENTRIES[tier]} loads only ${tier}/ and shared/`);
  }
});

Deno.test("the web app loads only web/ and shared/ modules that import nothing of a tier", () => {
  assert.ok(loads.web.size > 10, "web/src/main.tsx was read");
  assert.deepEqual(outside("web", ["web", "shared"]), []);
});

Deno.test("shared/ (tests aside) imports no tier, no tools/ and no web/", () => {
  const wrong = [...graph].filter(([from]) => tierOf(from) === "shared" && !/_test\.tsx?$/.test(from))
    .flatMap(([from, to]) =>
      [...to].filter((t) => [...TIERS, "tools", "web"].includes(tierOf(t))).map((t) => `${from} -> ${t}`)
    );
  assert.deepEqual(wrong, []);
});

Deno.test("no production module of a tier imports another tier", () => {
  const wrong = [...graph].filter(([from]) => TIERS.includes(tierOf(from)) && !isTestCode(from))
    .flatMap(([from, to]) =>
      [...to].filter((t) => TIERS.includes(tierOf(t)) && tierOf(t) !== tierOf(from)).map((t) =>
        `${from} -> ${t}`
      )
    );
  assert.deepEqual(wrong, []);
});

Deno.test("core's and the workers' test helpers reach the other tier only through its test helpers", () => {
  const pair = ["core", "workers"];
  const wrong = [...graph].filter(([from]) =>
    pair.includes(tierOf(from)) && isTestCode(from) && !/_test\.tsx?$/.test(from)
  )
    .flatMap(([from, to]) =>
      [...to].filter((t) => pair.includes(tierOf(t)) && tierOf(t) !== tierOf(from) && !isTestCode(t))
        .map((t) => `${from} -> ${t}`)
    );
  assert.deepEqual(wrong, []);
});

Deno.test("the edge's test helpers import nothing of core or workers: what runs tiers together is in testing/", () => {
  // Test files import nothing in turn, so one that drives a whole stack adds no dependency; a helper in edge/ that
  // others import would make every test of the edge (and every test importing it) load core.
  const wrong = [...graph].filter(([from]) => tierOf(from) === "edge" && !/_test\.tsx?$/.test(from))
    .flatMap(([from, to]) =>
      [...to].filter((t) => TIERS.includes(tierOf(t)) && tierOf(t) !== "edge").map((t) => `${from} -> ${t}`)
    );
  assert.deepEqual(wrong, []);
});

Deno.test("only tests and test helpers import testing/ (the harnesses that run tiers together)", () => {
  const wrong = [...graph].filter(([from]) => !isTestCode(from))
    .flatMap(([from, to]) => [...to].filter((t) => tierOf(t) === "testing").map((t) => `${from} -> ${t}`));
  assert.deepEqual(wrong, []);
});

Deno.test("nothing outside tools/ imports tools/", () => {
  const wrong = [...graph].filter(([from]) => tierOf(from) !== "tools")
    .flatMap(([from, to]) => [...to].filter((t) => tierOf(t) === "tools").map((t) => `${from} -> ${t}`));
  assert.deepEqual(wrong, []);
});

Deno.test("no production modules import each other in a circle, type-only imports included", () => {
  const production = new Set([...graph.keys()].filter((m) => !isTestCode(m)));
  assert.deepEqual(circles(graph, production), []);
});

Deno.test("every area of shared/ (a folder or file under it) is loaded by two or more of the tiers and the web app", () => {
  const areaOf = (m: string) => m.split("/").slice(0, 2).join("/");
  const users = new Map<string, Set<string>>();
  for (const m of graph.keys()) {
    if (tierOf(m) !== "shared" || isTestCode(m)) continue;
    const set = users.get(areaOf(m)) ?? new Set<string>();
    for (const [tier, loaded] of Object.entries(loads)) if (loaded.has(m)) set.add(tier);
    users.set(areaOf(m), set);
  }
  const lonely = [...users].filter(([, u]) => u.size < 2).map(([area, u]) =>
    `${area}: ${[...u].join(", ") || "nobody"}`
  );
  assert.deepEqual(lonely.sort(), []);
});

Deno.test("the circle finder finds a circle of type-only imports and no false one", () => {
  const g: Graph = new Map([["a", new Set(["b"])], ["b", new Set(["a", "c"])], ["c", new Set()]]);
  assert.deepEqual(circles(g, new Set(["a", "b", "c"])), [["a", "b"]]);
  assert.deepEqual(circles(g, new Set(["b", "c"])), []);
});
