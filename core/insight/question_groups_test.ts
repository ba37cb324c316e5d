import assert from "node:assert/strict";
import { groupQuestions, keywordsOf } from "./question_groups.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute));

Deno.test("keywordsOf() keeps the toolkit's content terms less the words of asking", () => {
  assert.deepEqual(keywordsOf("What are the Mitochondria's functions?"), ["mitochondria", "function"]);
  // The tutor's light Arabic stem: article, a leading "و" of a long word and one suffix go.
  assert.deepEqual(keywordsOf("ما هي وظيفة الميتوكوندريا؟"), ["ظيف", "ميتوكوندري"]);
  assert.deepEqual(keywordsOf("إِسْلامٌ"), keywordsOf("اسلام"));
  assert.deepEqual(keywordsOf("Please explain what boiling means"), ["boil"]);
  assert.deepEqual(keywordsOf("اشرح معنى التضخم"), ["تضخم"]);
});

Deno.test("groupQuestions() puts questions sharing keywords together and keeps other topics apart", () => {
  const groups = groupQuestions([
    { text: "How does quantum tunnelling work?", userId: "u1", askedAt: at(5) },
    { text: "What is the Krebs cycle?", userId: "u2", askedAt: at(4) },
    { text: "Explain quantum tunnelling please", userId: "u2", askedAt: at(3) },
    { text: "how does QUANTUM tunnelling work", userId: "u3", askedAt: at(2) },
    { text: "Who discovered the Krebs cycle?", userId: "u2", askedAt: at(1) },
    { text: "When is the final exam?", userId: "u4", askedAt: at(0) },
  ]);
  assert.deepEqual(groups.map((g) => g.count), [3, 2, 1]);
  assert.deepEqual(groups[0].keywords.slice(0, 2).sort(), ["quantum", "tunnelling"]);
  assert.equal(groups[0].askers, 3);
  assert.deepEqual(groups[0].lastAskedAt, at(5));
  // The same question in other case or punctuation is one example, not two.
  assert.deepEqual(groups[0].examples, [
    "How does quantum tunnelling work?",
    "Explain quantum tunnelling please",
  ]);
  assert.deepEqual(groups[1].keywords.sort(), ["cycle", "discovered", "krebs"].sort());
  assert.equal(groups[1].askers, 1);
  assert.deepEqual(groups[2].examples, ["When is the final exam?"]);
});

Deno.test("groupQuestions() groups Arabic questions written with and without diacritics", () => {
  const groups = groupQuestions([
    { text: "ما هو التَّمثيل الضوئي؟", userId: "u1", askedAt: at(2) },
    { text: "اشرح التمثيل الضوئي", userId: "u2", askedAt: at(1) },
    { text: "ما هي الحرب العالمية الأولى؟", userId: "u3", askedAt: at(0) },
  ]);
  assert.deepEqual(groups.map((g) => g.count), [2, 1]);
});

Deno.test("groupQuestions() meets a word's forms on one stem and labels groups with words as written", () => {
  const groups = groupQuestions([
    { text: "What is the boiling point of liquid nitrogen?", userId: "u1", askedAt: at(2) },
    { text: "At what temperature does liquid nitrogen boil?", userId: "u2", askedAt: at(1) },
    { text: "ما هي المسؤولية الاجتماعية للشركات", userId: "u3", askedAt: at(0) },
  ]);
  assert.deepEqual(groups.map((g) => g.count), [2, 1]);
  assert.deepEqual(groups[0].keywords, ["boiling", "liquid", "nitrogen"]);
  // Diacritics and alef forms folded, the hamza seat kept as written.
  assert.ok(groups[1].keywords.includes("المسؤوليه"), groups[1].keywords.join());
});
