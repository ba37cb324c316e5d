/**
 * The time left of an attempt, counted on the server's clock (`serverNow()`, re-estimated on every server answer)
 * towards the server's deadline. It is a `timer` (not read aloud every second); a polite live region says when
 * five minutes and one minute are left.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useI18n } from "../../lib/i18n.tsx";
import { serverNow } from "./api.ts";

function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/**
 * Milliseconds left until `deadlineAt` on the server's clock, updated every second; null without a deadline. Never
 * more than the attempt's whole time (`deadlineAt - startedAt`), however the clock estimate errs.
 */
export function useTimeLeft(deadlineAt: string | null, startedAt: string): number | null {
  const deadline = deadlineAt ? Date.parse(deadlineAt) : null;
  const whole = deadline === null ? 0 : deadline - Date.parse(startedAt);
  const leftNow = () => deadline === null ? null : Math.min(whole, deadline - serverNow());
  const [left, setLeft] = useState(leftNow);
  useEffect(() => {
    if (deadline === null) return setLeft(null);
    const tick = () => setLeft(leftNow());
    tick();
    const id = setInterval(tick, 1000);
    return () => clearInterval(id);
  }, [deadline]);
  return left;
}

/** The countdown shown while an attempt is taken. */
export function Countdown(props: { left: number | null }) {
  const { t } = useI18n();
  const [announce, setAnnounce] = useState("");
  const said = useRef(new Set<number>());
  useEffect(() => {
    if (props.left === null) return;
    for (const minutes of [5, 1]) {
      if (props.left <= minutes * 60_000 && props.left > 0 && !said.current.has(minutes)) {
        said.current.add(minutes);
        setAnnounce(t("exams.minutesLeft", { minutes }));
      }
    }
  }, [props.left]);
  if (props.left === null) return <p class="exam-timer">{t("exams.noTimeLimit")}</p>;
  const urgent = props.left <= 60_000;
  return (
    <div class={urgent ? "exam-timer urgent" : "exam-timer"}>
      <span id="exam-timer-label">{t("exams.timeLeft")}</span>{" "}
      <span role="timer" aria-labelledby="exam-timer-label" dir="ltr">{clock(props.left)}</span>
      <span class="visually-hidden" aria-live="polite">{announce}</span>
    </div>
  );
}
