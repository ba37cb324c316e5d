/** The glyphs behind pdf.js' text items, for pages where pdf.js swapped the letters of ligatures. */
import type { getDocumentProxy } from "unpdf";
import { lamAlefEvidence } from "../arabic.ts";
import { isRightToLeft } from "./pdf_lines.ts";

// pdf.js' AnnotationMode.DISABLE: the operator list of the page's own content, as its text content has.
const ANNOTATIONS_DISABLED = 0;

/** A pdf.js page. */
export type PdfPage = Awaited<ReturnType<Awaited<ReturnType<typeof getDocumentProxy>>["getPage"]>>;

/**
 * The glyphs drawn for each text item, read from the page's operator list, on pages whose text shows swapped
 * lam-alef ligatures (the only use, and the list costs as much as the text): pdf.js' text items do not say where
 * one glyph stands for several characters, which `assembleLine` needs to keep a ligature's letters in order.
 * Undefined when not needed or when the glyphs do not line up with the items character for character.
 */
export async function ligatureGlyphs(
  page: PdfPage,
  content: unknown[],
): Promise<(string[] | undefined)[] | undefined> {
  const items = content as { str?: string }[];
  const text = items.map((i) => i.str ?? "").join(" ");
  if (!isRightToLeft(text) || lamAlefEvidence(text).swapped === 0) return undefined;
  const ops = await page.getOperatorList({ annotationMode: ANNOTATIONS_DISABLED });
  const glyphs: string[] = [];
  for (const args of ops.argsArray as unknown[][]) {
    if (!Array.isArray(args?.[0])) continue;
    for (const g of args[0] as unknown[]) {
      const unicode = (g as { unicode?: unknown } | null)?.unicode;
      // pdf.js normalises presentation forms in text items (NFKC); do the same to compare.
      if (typeof unicode === "string") {
        glyphs.push(unicode.replace(/[\uFB00-\uFEFE]+/g, (u) => u.normalize("NFKC")));
      }
    }
  }
  const sorted = (s: string) => [...s.replace(/\s/g, "")].sort().join("");
  const perItem: (string[] | undefined)[] = [];
  let next = 0;
  for (const item of items) {
    if (typeof item.str !== "string") {
      perItem.push(undefined);
      continue;
    }
    const want = item.str.replace(/\s/g, "").length;
    const own: string[] = [];
    let have = 0;
    while (have < want && next < glyphs.length) {
      const g = glyphs[next++];
      own.push(g);
      have += g.replace(/\s/g, "").length;
    }
    // Whitespace glyphs between items belong to no item's letters.
    while (next < glyphs.length && !glyphs[next].trim()) next++;
    if (sorted(own.join("")) !== sorted(item.str)) return undefined;
    perItem.push(own);
  }
  return perItem;
}
