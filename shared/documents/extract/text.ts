import { DocumentError } from "../errors.ts";
import { normalizeExtractedText } from "../normalize.ts";
import type { ExtractedDocument, TextBlock } from "../types.ts";
import { paginateBlocks } from "./paginate.ts";

/** Extracts a UTF-8 text or Markdown file: paragraphs split by blank lines, Markdown headings kept. */
export function extractText(bytes: Uint8Array, type: "txt" | "md"): ExtractedDocument {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (err) {
    throw new DocumentError(
      "corrupt",
      "This text file is not valid UTF-8; save it as UTF-8 and upload again",
      {
        cause: err,
      },
    );
  }
  const blocks = type === "md" ? markdownBlocks(text) : plainBlocks(text);
  if (blocks.length === 0) throw new DocumentError("no_text", "The file contains no text");
  return { type, pages: paginateBlocks(blocks), pagination: "logical" };
}

function plainBlocks(text: string): TextBlock[] {
  return text.split(/\n\s*\n/).map((p) => normalizeExtractedText(p)).filter(Boolean)
    .map((p) => ({ kind: "paragraph", text: p }));
}

/** Blocks of a Markdown text: ATX (`# x`) and setext (`x` over `===`/`---`) headings, code fences kept whole. */
function markdownBlocks(text: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  let paragraph: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    const t = normalizeExtractedText(paragraph.join("\n"));
    if (t) blocks.push({ kind: "paragraph", text: t });
    paragraph = [];
  };
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    const fenceMark = line.match(/^\s*(```|~~~)/)?.[1];
    if (fence) {
      paragraph.push(line);
      if (fenceMark === fence) [fence] = [undefined, flush()];
      continue;
    }
    if (fenceMark) {
      flush();
      fence = fenceMark;
      paragraph.push(line);
      continue;
    }
    const atx = line.match(/^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (atx) {
      flush();
      const heading = normalizeExtractedText(atx[2]);
      if (heading) blocks.push({ kind: "heading", text: heading, level: atx[1].length });
      continue;
    }
    const setext = line.match(/^ {0,3}(=+|-+)\s*$/);
    if (setext && paragraph.length === 1) {
      const heading = normalizeExtractedText(paragraph[0]);
      paragraph = [];
      if (heading) blocks.push({ kind: "heading", text: heading, level: setext[1][0] === "=" ? 1 : 2 });
      continue;
    }
    if (!line.trim()) flush();
    else paragraph.push(line);
  }
  flush();
  return blocks;
}
