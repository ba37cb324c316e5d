import assert from "node:assert/strict";
import { bigrams, contentTerms, words } from "./terms.ts";

Deno.test("contentTerms() drops stop words and stems English (Porter2) and Arabic (light)", () => {
  assert.deepEqual(contentTerms("How many points did the Panthers defense give up?"), [
    "point",
    "panther",
    "defens",
    "give",
  ]);
  assert.deepEqual(contentTerms("والكتاب في المكتبات"), ["كتاب", "مكتب"]);
  // Short words are kept whole, numbers too.
  assert.deepEqual(contentTerms("Gas was 3 dollars in 1973"), ["gas", "3", "dollar", "1973"]);
});

Deno.test("contentTerms() drops a stop word after و and a lone article or dual relative pronoun", () => {
  // "والتي" is و + التي; "ال" alone (left over in some ARCD questions) and "اللتان"/"اللذان" name no topic.
  assert.deepEqual(contentTerms("الأراضي والتي تستعمل"), ["اراض", "تستعمل"]);
  assert.deepEqual(contentTerms("في الصحف والإعلام؟ ال"), ["صحف", "اعلام"]);
  assert.deepEqual(contentTerms("المجموعتان اللتان تعيشان"), ["مجموع", "تعيش"]);
});

Deno.test("words() normalises and splits on everything but letters and digits", () => {
  assert.deepEqual(words("Newton's 2nd LAW: F=ma."), ["newton", "2nd", "law", "f", "ma"]);
  assert.deepEqual(bigrams(["a", "b", "c"]), ["a b", "b c"]);
});
