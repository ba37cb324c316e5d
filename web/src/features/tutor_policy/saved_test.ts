import assert from "node:assert/strict";
import { ar } from "../../i18n/ar.ts";
import { en, type MessageKey } from "../../i18n/en.ts";
import { format, type Translate } from "../../lib/i18n.tsx";
import { savedMessage } from "./saved.ts";

const tIn = (catalogue: Record<MessageKey, string>): Translate => (key, values) =>
  format(catalogue[key], values);
const t = tIn(en);
const before = {
  policy: "direct",
  lockoutDuringExams: true,
  dailyQuestionQuota: null,
  serverDailyQuestionQuota: 200,
} as const;

Deno.test("savedMessage() names only the settings the save changed", () => {
  assert.equal(
    savedMessage(t, before, { ...before, policy: "hints-only" }),
    "Saved. The tutor now uses “Hints only” in this course.",
  );
  const limits = savedMessage(t, before, { ...before, lockoutDuringExams: false, dailyQuestionQuota: 25 });
  assert.equal(
    limits,
    "Saved. While an exam of this course is open, the tutor now answers as usual. " +
      "This course now allows 25 questions a day, all users together.",
  );
  assert.doesNotMatch(limits, /Direct answers|uses/, "the answer mode did not change");
});

Deno.test("savedMessage() says which daily limit applies after the quota changed", () => {
  const own = { ...before, dailyQuestionQuota: 25 };
  assert.equal(
    savedMessage(t, own, before),
    "Saved. The server's daily limit now applies to this course: 200 questions a day.",
  );
  assert.equal(
    savedMessage(t, before, { ...before, dailyQuestionQuota: 0 }),
    "Saved. This course now has no daily question limit.",
  );
  assert.equal(
    savedMessage(t, { ...own, lockoutDuringExams: false }, { ...before, lockoutDuringExams: true }),
    "Saved. Questions about an exam of this course are now refused while it is open. " +
      "The server's daily limit now applies to this course: 200 questions a day.",
  );
});

Deno.test("savedMessage() in Arabic", () => {
  const message = savedMessage(tIn(ar), before, { ...before, dailyQuestionQuota: 25 });
  assert.match(message, /^حُفظت السياسة\. /);
  assert.match(message, /25/);
  assert.doesNotMatch(message, /[A-Za-z]/);
});
