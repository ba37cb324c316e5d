import assert from "node:assert/strict";
import {
  citationMarkers,
  contentTerms,
  normalizeText,
  splitSentences,
  stemArabic,
  stemEnglish,
} from "./text.ts";

Deno.test("normalizeText() strips Arabic diacritics and tatweel and unifies alef, yaa and taa marbuta", () => {
  assert.equal(normalizeText("إِنَّ الـمَدرسةَ"), "ان المدرسه");
  assert.equal(normalizeText("أحمد آمن على مستوى"), "احمد امن علي مستوي");
  assert.equal(normalizeText("٣٠٨"), "308");
});

Deno.test("contentTerms() drops stop words and stems English (Porter2) and Arabic (light)", () => {
  assert.deepEqual(contentTerms("How many points did the Panthers defense give up?"), [
    "point",
    "panther",
    "defens",
    "give",
  ]);
  assert.deepEqual(contentTerms("والكتاب في المكتبات"), ["كتاب", "مكتب"]);
  assert.equal(stemArabic("بالمدرسة"), "مدرسة");
  assert.equal(stemEnglish("stopped"), "stop");
  assert.equal(stemEnglish("studies"), stemEnglish("study"));
  // Derived forms of one word meet, as a question's wording often differs from the material's.
  assert.equal(stemEnglish("consolidation"), stemEnglish("consolidated"));
  assert.equal(stemEnglish("arriving"), stemEnglish("arrival"));
  assert.equal(stemEnglish("acknowledged"), stemEnglish("acknowledge"));
});

Deno.test("splitSentences() keeps citation markers with their sentence and decimals whole", () => {
  assert.deepEqual(
    splitSentences("Water boils at 100 degrees. [1] It freezes at 0 [2]. Pi is 3.14 roughly."),
    [
      "Water boils at 100 degrees. [1]",
      "It freezes at 0 [2].",
      "Pi is 3.14 roughly.",
    ],
  );
  assert.deepEqual(citationMarkers("A [1] and [3]."), [1, 3]);
});

Deno.test("splitSentences() does not cut after initials, abbreviations or before a lower-case word", () => {
  assert.deepEqual(
    splitSentences(
      "It is named after millionaire M. Theo Kearney. The genome of Y. pestis was found. Dr. Smith agreed.",
    ),
    [
      "It is named after millionaire M. Theo Kearney.",
      "The genome of Y. pestis was found.",
      "Dr. Smith agreed.",
    ],
  );
});

Deno.test("splitSentences() keeps a sentence whole across a line break before a quotation mark or bracket", () => {
  assert.deepEqual(
    splitSentences(
      "You find them by simply\n“eyeballing” the graph. We do it in the second\n(“substitution”) step.",
    ),
    ["You find them by simply “eyeballing” the graph.", "We do it in the second (“substitution”) step."],
  );
});
