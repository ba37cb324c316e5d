/**
 * Autosave of an attempt's answers: each change is kept in this tab's storage at once (so a reload or a crash
 * loses nothing), sent after a short pause (debounced), and retried with growing waits while the network or the
 * server fails — and at once when the browser says it is back online. The server's answer to each save carries
 * its clock and the attempt's deadline, so the countdown re-synchronises on every save.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../../lib/api.ts";
import { type Attempt, saveAnswers } from "./api.ts";

/** What the student sees of the autosave. */
export type SaveState =
  | { kind: "idle" }
  | { kind: "pending" }
  | { kind: "saving" }
  | { kind: "saved"; at: number }
  | { kind: "retrying"; offline: boolean }
  | { kind: "closed"; message: string }
  | { kind: "failed"; message: string };

type Answers = Record<string, string | null>;

const DEBOUNCE_MS = 800;
const MAX_RETRY_MS = 30_000;
const storageKey = (attemptId: string) => `aiteacher.exam-answers.${attemptId}`;

function readUnsaved(attemptId: string): Answers {
  try {
    const raw = localStorage.getItem(storageKey(attemptId));
    const parsed = raw ? JSON.parse(raw) : {};
    return parsed && typeof parsed === "object" ? parsed as Answers : {};
  } catch {
    return {};
  }
}

function writeUnsaved(attemptId: string, unsaved: Map<string, string | null>): void {
  try {
    if (unsaved.size === 0) localStorage.removeItem(storageKey(attemptId));
    else localStorage.setItem(storageKey(attemptId), JSON.stringify(Object.fromEntries(unsaved)));
  } catch {
    // Storage full or disabled: the answers are still in memory and on their way to the server.
  }
}

/** Forgets what this tab kept of an attempt (after it is submitted). */
export function forgetUnsaved(attemptId: string): void {
  try {
    localStorage.removeItem(storageKey(attemptId));
  } catch {
    // Nothing kept.
  }
}

/**
 * The answers of `attempt` (the server's, overlaid by any this tab had not yet saved), a setter that autosaves,
 * `flush()` to save now (before submitting or as time runs out), and the save state. `onDeadline` hears the
 * deadline each save reports.
 */
export function useAutosave(attempt: Attempt, onDeadline: (deadlineAt: string | null) => void) {
  const [answers, setAnswers] = useState<Answers>(() => {
    const fromServer: Answers = {};
    for (const item of attempt.items) fromServer[item.id] = item.answer ?? null;
    return { ...fromServer, ...readUnsaved(attempt.id) };
  });
  const [state, setState] = useState<SaveState>({ kind: "idle" });
  const unsaved = useRef(new Map<string, string | null>(Object.entries(readUnsaved(attempt.id))));
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inFlight = useRef<Promise<void> | null>(null);
  const failures = useRef(0);
  const stopped = useRef(false);
  const deadlineHandler = useRef(onDeadline);
  deadlineHandler.current = onDeadline;

  const send = useCallback(async (): Promise<void> => {
    if (stopped.current || unsaved.current.size === 0) return;
    const batch = new Map(unsaved.current);
    setState({ kind: "saving" });
    try {
      const saved = await saveAnswers(
        attempt.id,
        [...batch].map(([itemId, answer]) => ({ itemId, answer })),
      );
      // Keep what changed again while this save was on its way.
      for (const [itemId, answer] of batch) {
        if (unsaved.current.get(itemId) === answer) unsaved.current.delete(itemId);
      }
      writeUnsaved(attempt.id, unsaved.current);
      failures.current = 0;
      deadlineHandler.current(saved.deadlineAt);
      setState({ kind: "saved", at: Date.parse(saved.savedAt) });
      if (unsaved.current.size > 0) schedule(DEBOUNCE_MS);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        // Submitted meanwhile (the deadline passed, or another tab submitted): nothing more can be saved.
        stopped.current = true;
        setState({ kind: "closed", message: err.message });
        return;
      }
      if (err instanceof ApiError && err.status < 500 && err.status !== 429) {
        setState({ kind: "failed", message: err.message });
        return;
      }
      // The network or the server failed: the answers stay in storage; try again, waiting longer each time.
      failures.current++;
      setState({ kind: "retrying", offline: !navigator.onLine });
      schedule(Math.min(MAX_RETRY_MS, 1000 * 2 ** failures.current));
    }
  }, [attempt.id]);

  const flush = useCallback(async (): Promise<void> => {
    clearTimeout(timer.current);
    // One save at a time; a flush waits for the one in flight, then sends what is left.
    while (inFlight.current) await inFlight.current;
    if (unsaved.current.size === 0 || stopped.current) return;
    inFlight.current = send().finally(() => (inFlight.current = null));
    await inFlight.current;
  }, [send]);

  function schedule(ms: number) {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void flush(), ms);
  }

  const setAnswer = useCallback((itemId: string, answer: string | null) => {
    if (stopped.current) return;
    setAnswers((all) => ({ ...all, [itemId]: answer }));
    unsaved.current.set(itemId, answer);
    writeUnsaved(attempt.id, unsaved.current);
    setState({ kind: "pending" });
    schedule(DEBOUNCE_MS);
  }, [attempt.id, flush]);

  useEffect(() => {
    // Answers kept from before a reload go out at once.
    if (unsaved.current.size > 0) void flush();
    const online = () => {
      if (unsaved.current.size > 0) void flush();
    };
    addEventListener("online", online);
    return () => {
      removeEventListener("online", online);
      clearTimeout(timer.current);
    };
  }, [flush]);

  /** Stops saving (the attempt is submitted or its time is up). */
  const stop = useCallback(() => {
    stopped.current = true;
    clearTimeout(timer.current);
  }, []);

  return { answers, setAnswer, flush, state, stop, hasUnsaved: () => unsaved.current.size > 0 };
}
