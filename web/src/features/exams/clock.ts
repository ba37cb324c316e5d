/** Renders an exam's page or list again when the clock moves its standing on (a window opens or closes). */
import { useEffect, useState } from "preact/hooks";
import { serverNow } from "./api.ts";
import { renderDelay } from "./standing.ts";

/**
 * Renders the component again when the server's clock reaches `at` (a server time in ms, e.g. from
 * `nextBoundaryOf`), rather than leaving the old standing on screen until something else changes. The render that
 * follows passes the next boundary, which arms the next timer.
 */
export function useRenderAt(at: number | null): void {
  const [tick, setTick] = useState(0);
  // Armed again after each tick too: a moment past the longest timer is reached in steps.
  useEffect(() => {
    const delay = renderDelay(at, serverNow());
    if (delay === null) return;
    const timer = setTimeout(() => setTick((n) => n + 1), delay);
    return () => clearTimeout(timer);
  }, [at, tick]);
}
