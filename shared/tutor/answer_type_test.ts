import assert from "node:assert/strict";
import { answerTypeOf, continuesPrevious, offersAnswerType } from "./answer_type.ts";

Deno.test("continuesPrevious() tells a sentence that goes on about the one before from one that starts afresh", () => {
  for (
    const s of [
      "They also won the country's championship in 1946.",
      "Most of these schools are vocational schools.",
      "Today, this is known as the Miasma theory.",
      "Glucocorticoids are the most powerful of these drugs.",
      "وهذه القدرات هي صفات الورم الخبيث.",
      "تتوفر مجموعة من هذه الأدوية.",
      "تحدها سوريا من الشمال والشرق.",
    ]
  ) assert.equal(continuesPrevious(s), true, s);
  for (
    const s of [
      "Oxygen was discovered independently by Carl Wilhelm Scheele.",
      "The thesis of this book is simple.",
      "كتب نجيب محفوظ منذ بداية الأربعينيات.",
      "تعتبر مصر أكبر الدول العربية سكاناً.",
    ]
  ) assert.equal(continuesPrevious(s), false, s);
});

Deno.test("answerTypeOf() reads Arabic questions that open with a right-to-left mark, and who/why in Arabic", () => {
  assert.equal(answerTypeOf("\u200fكم عدد الطلاب في الجامعة؟"), "number");
  assert.equal(answerTypeOf("\u200fما هو الجرب؟"), "definition");
  // "من" before a verb asks "who"; "من أين" asks "from where".
  assert.equal(answerTypeOf("من سجل أعلى عدد من الاستحواذات؟"), "person");
  assert.notEqual(answerTypeOf("من أين جاء المستوطنون؟"), "person");
  assert.equal(answerTypeOf("لماذا أعدم جوهان إيسك؟"), "reason");
  assert.equal(answerTypeOf("Why was Tanaghrisson supporting British efforts?"), "reason");
});

Deno.test("offersAnswerType() finds a reason where the question asks why", () => {
  const q = "Why is the acceptance of punishment needed?";
  assert.equal(
    offersAnswerType("They accept punishment because of their belief in the social contract.", "reason", q),
    true,
  );
  assert.equal(
    offersAnswerType("Other civil disobedients favor the existence of government.", "reason", q),
    false,
  );
  assert.equal(
    offersAnswerType("قبلوا العقوبة بسبب إيمانهم بالعقد الاجتماعي.", "reason", "لماذا يقبلون العقوبة؟"),
    true,
  );
});
