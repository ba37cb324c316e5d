import assert from "node:assert/strict";
import { pageHolds } from "./passage.ts";

Deno.test("pageHolds() finds a passage whose words the text layer splits across lines and pieces", () => {
  const page = "Chapter 2  The Calvin cy cle fixes carbon\ndioxide into sugars. It runs in the stroma.";
  assert.equal(pageHolds(page, "The Calvin cycle fixes carbon dioxide into sugars."), true);
  assert.equal(
    pageHolds("Light energy drives the process.", "The Calvin cycle fixes carbon dioxide…"),
    false,
  );
});

Deno.test("pageHolds() does not match on a passage too short to tell pages apart", () => {
  assert.equal(pageHolds("a b c", "a b"), false);
});
