import assert from "node:assert/strict";
import { createOfflineEmbedder, OFFLINE_DIMENSIONS } from "./offline.ts";
import { cosine } from "../testing/cosine.ts";

Deno.test({
  name: "offline embedder loads the packaged model and puts related sentences closer than unrelated ones",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const embedder = createOfflineEmbedder();
    const [question, answer, other, empty] = await embedder.embed([
      "How do plants make their food?",
      "Photosynthesis lets green plants turn sunlight into sugar.",
      "The stock market fell sharply on Tuesday.",
      "",
    ]);
    assert.equal(question.length, OFFLINE_DIMENSIONS);
    assert.equal(empty.length, OFFLINE_DIMENSIONS);
    assert.ok(cosine(question, answer) > cosine(question, other) + 0.1);
    assert.equal(embedder.englishOnly, true);
    assert.deepEqual(await embedder.embed([]), []);
  },
});
