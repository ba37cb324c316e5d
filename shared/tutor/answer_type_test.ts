import assert from "node:assert/strict";
import { continuesPrevious } from "./answer_type.ts";

Deno.test("continuesPrevious() tells a sentence that goes on about the one before from one that starts afresh", () => {
  for (
    const s of [
      "They also won the country's championship in 1946.",
      "Most of these schools are vocational schools.",
      "Today, this is known as the Miasma theory.",
      "Glucocorticoids are the most powerful of these drugs.",
      "وهذه القدرات هي صفات الورم الخبيث.",
      "تتوفر مجموعة من هذه الأدوية.",
    ]
  ) assert.equal(continuesPrevious(s), true, s);
  for (
    const s of [
      "Oxygen was discovered independently by Carl Wilhelm Scheele.",
      "The thesis of this book is simple.",
      "كتب نجيب محفوظ منذ بداية الأربعينيات.",
    ]
  ) assert.equal(continuesPrevious(s), false, s);
});
