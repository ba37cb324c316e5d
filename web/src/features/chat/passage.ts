/** Finding a cited passage in a PDF page's text: which page holds it, which text-layer pieces to highlight. */

/** Lower-case words of a text, for matching a passage against the page's text pieces. */
function words(text: string): string[] {
  return text.toLowerCase().normalize("NFKC").split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/** Marks the text-layer pieces that belong to `passage`: each piece whose words run in the passage's text. */
export function markPassage(spans: HTMLElement[], passage: string): number {
  const haystack = ` ${words(passage).join(" ")} `;
  let marked = 0;
  for (const span of spans) {
    const piece = words(span.textContent ?? "");
    if (piece.length === 0 || piece.join("").length < 3) continue;
    if (haystack.includes(` ${piece.join(" ")} `)) {
      span.classList.add("highlight");
      marked++;
    }
  }
  return marked;
}

/**
 * Whether a page's text holds the passage: its first words (up to eight, ellipsis dropped) run in the page's words.
 * Text-layer pieces split words at line ends, so the comparison is on words joined without spaces.
 */
export function pageHolds(pageText: string, passage: string): boolean {
  const head = words(passage.replace(/…$/, "")).slice(0, 8).join("");
  return head.length >= 8 && words(pageText).join("").includes(head);
}
