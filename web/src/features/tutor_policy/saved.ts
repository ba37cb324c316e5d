/** What the tutor-policy screen says after a save: one sentence for each setting the save changed. */
import type { Schemas } from "../../lib/api.ts";
import type { Translate } from "../../lib/i18n.tsx";

type Policy = Schemas["TutorPolicy"];
type Settings = Pick<
  Policy,
  "policy" | "lockoutDuringExams" | "dailyQuestionQuota" | "serverDailyQuestionQuota"
>;

/** "Saved." and what changed from `before` to `after`, in the order of the form. */
export function savedMessage(t: Translate, before: Settings, after: Settings): string {
  const what: string[] = [];
  if (after.policy !== before.policy) {
    what.push(t("tutorPolicy.savedMode", { mode: t(`tutorPolicy.mode.${after.policy}`) }));
  }
  if (after.lockoutDuringExams !== before.lockoutDuringExams) {
    what.push(t(after.lockoutDuringExams ? "tutorPolicy.savedLockoutOn" : "tutorPolicy.savedLockoutOff"));
  }
  if (after.dailyQuestionQuota !== before.dailyQuestionQuota) {
    const server = after.serverDailyQuestionQuota;
    what.push(
      after.dailyQuestionQuota === null
        ? t("tutorPolicy.savedServerQuota", {
          limit: server > 0 ? t("tutorPolicy.perDay", { n: server }) : t("tutorPolicy.noLimit"),
        })
        : after.dailyQuestionQuota === 0
        ? t("tutorPolicy.savedNoQuota")
        : t("tutorPolicy.savedQuota", { n: after.dailyQuestionQuota }),
    );
  }
  return t("tutorPolicy.savedWhat", { what: what.join(" ") }).trim();
}
