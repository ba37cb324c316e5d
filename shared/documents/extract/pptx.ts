import JSZip from "jszip";
import { DocumentError } from "../errors.ts";
import { DEFAULT_DOCUMENT_LIMITS } from "../limits.ts";
import { normalizeExtractedText } from "../normalize.ts";
import type { ExtractedDocument, ExtractedPage, TextBlock } from "../types.ts";
import { decodeXmlEntities } from "./xml.ts";

const SHAPE = /<p:(sp|graphicFrame)\b[\s\S]*?<\/p:\1>/g;
const PARAGRAPH = /<a:p\b[\s\S]*?<\/a:p>/g;
const RUN_TEXT = /<a:t\b[^>]*>([\s\S]*?)<\/a:t>|<a:br\b[^>]*\/>/g;
const TITLE_PLACEHOLDER = /<p:ph\b[^>]*type="(?:title|ctrTitle)"/;

/** The slide limit, and a callback after each slide. */
export interface PptxOptions {
  /** Slides accepted; a longer deck fails before any slide is read. */
  maxSlides?: number;
  onSlide?: (slidesDone: number, slidesTotal: number) => void;
}

/** Extracts a PPTX with jszip: one slide is one page, in presentation order; slide titles become headings. */
export async function extractPptx(bytes: Uint8Array, options: PptxOptions = {}): Promise<ExtractedDocument> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch (err) {
    throw new DocumentError("corrupt", "This PPTX could not be opened as a ZIP archive; it may be damaged", {
      cause: err,
    });
  }
  const slidePaths = await slideOrder(zip);
  if (slidePaths.length === 0) throw new DocumentError("corrupt", "This PPTX contains no slides");
  const maxSlides = options.maxSlides ?? DEFAULT_DOCUMENT_LIMITS.maxSlides;
  if (slidePaths.length > maxSlides) {
    throw new DocumentError(
      "too_many_pages",
      `This PPTX has ${slidePaths.length} slides; at most ${maxSlides} are accepted (split it into smaller decks)`,
    );
  }
  const pages: ExtractedPage[] = [];
  for (const [i, path] of slidePaths.entries()) {
    const xml = await zip.file(path)!.async("string");
    pages.push({ pageNumber: i + 1, blocks: slideBlocks(xml) });
    options.onSlide?.(i + 1, slidePaths.length);
  }
  const title = pages[0].blocks.find((b) => b.kind === "heading")?.text;
  return { type: "pptx", pages, pagination: "physical", ...(title ? { title } : {}) };
}

/** Slide part paths in the order `presentation.xml` lists them; numeric file order if that cannot be read. */
async function slideOrder(zip: JSZip): Promise<string[]> {
  const presentation = await zip.file("ppt/presentation.xml")?.async("string");
  const rels = await zip.file("ppt/_rels/presentation.xml.rels")?.async("string");
  if (presentation && rels) {
    const targets = new Map<string, string>();
    for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
      const id = m[0].match(/\bId="([^"]+)"/)?.[1];
      const target = m[0].match(/\bTarget="([^"]+)"/)?.[1];
      if (id && target) targets.set(id, target.startsWith("/") ? target.slice(1) : `ppt/${target}`);
    }
    const ordered = [...presentation.matchAll(/<p:sldId\b[^>]*\br:id="([^"]+)"/g)]
      .map((m) => targets.get(m[1]))
      .filter((p): p is string => !!p && zip.file(p) !== null);
    if (ordered.length > 0) return ordered;
  }
  return Object.keys(zip.files)
    .filter((p) => /^ppt\/slides\/slide\d+\.xml$/.test(p))
    .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
}

function slideBlocks(xml: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  for (const shape of xml.matchAll(SHAPE)) {
    const isTitle = TITLE_PLACEHOLDER.test(shape[0]);
    const lines = [...shape[0].matchAll(PARAGRAPH)].map((p) =>
      [...p[0].matchAll(RUN_TEXT)].map((r) => r[1] === undefined ? "\n" : decodeXmlEntities(r[1])).join("")
    ).map((l) => normalizeExtractedText(l)).filter(Boolean);
    if (lines.length === 0) continue;
    if (isTitle) blocks.push({ kind: "heading", text: lines.join(" "), level: 1 });
    else blocks.push({ kind: "paragraph", text: lines.join("\n") });
  }
  // The title placeholder is not always the first shape in the XML; readers see it first.
  return blocks.sort((a, b) => (a.kind === "heading" ? 0 : 1) - (b.kind === "heading" ? 0 : 1));
}
