import assert from "node:assert/strict";
import { foldText, groupQuestions, keywordsOf } from "./question_groups.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 10, minute));

Deno.test("keywordsOf() drops stop words, folds case and plurals, and strips the Arabic article", () => {
  assert.deepEqual(keywordsOf("What are the Mitochondria's functions?"), ["mitochondria", "function"]);
  assert.deepEqual(keywordsOf("ما هي وظيفة الميتوكوندريا؟"), ["وظيفه", "ميتوكوندريا"]);
  assert.equal(foldText("إِسْلامٌ"), foldText("اسلام"));
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
