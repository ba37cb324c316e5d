import { Buffer } from "node:buffer";
import mammoth from "mammoth";
import mammothPromises from "mammoth/lib/promises.js";
import { DocumentError } from "../errors.ts";
import { normalizeExtractedText } from "../normalize.ts";
import type { ExtractedDocument, TextBlock } from "../types.ts";
import { decodeXmlEntities } from "./xml.ts";
import { paginateBlocks } from "./paginate.ts";

// mammoth wraps results in a Promise subclass built with `__proto__` assignments, which Deno disables
// (`--unsafe-proto`), leaving `ExternalPromise.resolve` undefined. Its only extra is a legacy `.done()`; replace
// the wrapper with a plain promise instead of re-enabling `__proto__` for the whole process.
(mammothPromises as { toExternalPromise: (p: unknown) => Promise<unknown> }).toExternalPromise = (p) =>
  Promise.resolve(p);

// Images carry no text: not inflating them (mammoth would inline each as base64) keeps memory to the text parts.
const SKIP_IMAGE = mammoth.images.imgElement(() => Promise.resolve({ src: "" }));

const BLOCK_TAG = /<(\/?)(h[1-6]|p|li|td|th|tr|table|ul|ol)\b[^>]*>/g;

/** Extracts a DOCX with mammoth: headings from paragraph styles; sections become logical pages. */
export async function extractDocx(bytes: Uint8Array): Promise<ExtractedDocument> {
  let html: string;
  try {
    // mammoth's Node build (what npm: resolves to) reads `buffer`, not `arrayBuffer`.
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes) }, { convertImage: SKIP_IMAGE })).value;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new DocumentError("corrupt", `This DOCX could not be read (${detail}); it may be damaged`, {
      cause: err,
    });
  }
  const blocks = htmlBlocks(html);
  if (blocks.length === 0) throw new DocumentError("no_text", "This DOCX contains no text");
  return { type: "docx", pages: paginateBlocks(blocks), pagination: "logical" };
}

/** Blocks of mammoth's HTML: every block-level tag ends the text before it; `h1`–`h6` become headings. */
function htmlBlocks(html: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  let open = "p";
  let last = 0;
  const emit = (raw: string, tag: string) => {
    const text = normalizeExtractedText(
      decodeXmlEntities(raw.replace(/<br\s*\/?>/g, "\n").replace(/<[^>]+>/g, "")),
    );
    if (!text) return;
    const heading = /^h[1-6]$/.test(tag);
    blocks.push(heading ? { kind: "heading", text, level: Number(tag[1]) } : { kind: "paragraph", text });
  };
  for (const m of html.matchAll(BLOCK_TAG)) {
    emit(html.slice(last, m.index), open);
    open = m[1] ? "p" : m[2];
    last = m.index + m[0].length;
  }
  emit(html.slice(last), open);
  return blocks;
}
