import assert from "node:assert/strict";
import { detectLanguage } from "./language.ts";

Deno.test("detectLanguage() reads Arabic and English from the question", () => {
  assert.deepEqual(detectLanguage("ما هي عاصمة فرنسا؟"), { language: "ar", source: "question" });
  assert.deepEqual(detectLanguage("What is the capital of France?", "ar"), {
    language: "en",
    source: "question",
  });
  assert.equal(detectLanguage("ما هو الـ DNA في الخلية؟").language, "ar");
});

Deno.test("detectLanguage() falls back to the profile preference when the question has too few letters", () => {
  assert.deepEqual(detectLanguage("2+2?", "ar"), { language: "ar", source: "profile" });
  assert.deepEqual(detectLanguage("??"), { language: "en", source: "default" });
});
