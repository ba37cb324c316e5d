/**
 * An exclusive lock on an embedded database directory. PGlite can be opened by one process at a time: a second
 * process opening the same directory would run its own copy and the two would overwrite each other's writes (an
 * admin created while `deno task dev` runs is lost at the next restart). The lock is an OS file lock (`flock`) on
 * `<dir>.lock`, whose content names the holder (pid, command, start time) for the error a second opener gets at
 * once. The kernel drops the lock when its process dies, so a lock file left by a dead process is simply taken
 * over.
 */

/** Who holds a data directory, as written into its lock file. */
export interface LockHolder {
  pid: number;
  command: string;
  since: string;
}

/** Raised when another process (or another open in this one) holds the directory. */
export class DataDirLockedError extends Error {
  readonly holder?: LockHolder;
  constructor(dir: string, holder?: LockHolder) {
    const who = holder
      ? `process ${holder.pid} (${holder.command}, since ${holder.since})`
      : "another process (it did not say which)";
    super(
      `The embedded database in "${dir}" is in use by ${who}. PGlite allows one process at a time: stop that ` +
        "process first (for `deno task dev`, Ctrl-C it), or point DATA_DIR elsewhere.",
    );
    this.name = "DataDirLockedError";
    this.holder = holder;
  }
}

/** A held lock; `release()` lets the next process in. */
export interface DataDirLock {
  path: string;
  release(): void;
}

function describeSelf(): LockHolder {
  const script = Deno.mainModule.startsWith("file:") ? new URL(Deno.mainModule).pathname : Deno.mainModule;
  return {
    pid: Deno.pid,
    command: ["deno", script.split("/").slice(-2).join("/"), ...Deno.args].join(" "),
    since: new Date().toISOString(),
  };
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(Deno.readTextFileSync(path));
    return typeof parsed?.pid === "number" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock on `dir` (a PGlite directory) or throws `DataDirLockedError` at once, never waiting. */
export function lockDataDir(dir: string): DataDirLock {
  const path = `${dir.replace(/\/+$/, "")}.lock`;
  const file = Deno.openSync(path, { read: true, write: true, create: true });
  let locked = false;
  try {
    locked = file.tryLockSync(true);
  } catch (err) {
    file.close();
    throw err;
  }
  if (!locked) {
    file.close();
    throw new DataDirLockedError(dir, readHolder(path));
  }
  // Ours now (a holder that died left its pid here: the kernel already released its lock).
  file.truncateSync(0);
  file.writeSync(new TextEncoder().encode(JSON.stringify(describeSelf()) + "\n"));
  return {
    path,
    release: () => {
      try {
        file.truncateSync(0);
        file.unlockSync();
      } finally {
        file.close();
      }
    },
  };
}
