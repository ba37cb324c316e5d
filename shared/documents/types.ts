/** The document formats the platform accepts. */
export const DOCUMENT_TYPES = ["pdf", "docx", "pptx", "txt", "md"] as const;

/** One of the accepted document formats. */
export type DocumentType = typeof DOCUMENT_TYPES[number];

/** The MIME type clients declare for each format, and the one stored with the object. */
export const MIME_TYPES: Record<DocumentType, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  txt: "text/plain",
  md: "text/markdown",
};

/** The document type a declared MIME type (parameters such as `; charset=utf-8` ignored) stands for, if any. */
export function documentTypeOfMime(mime: string): DocumentType | undefined {
  const base = mime.split(";")[0].trim().toLowerCase();
  if (base === "text/x-markdown") return "md";
  return (Object.entries(MIME_TYPES) as [DocumentType, string][]).find(([, m]) => m === base)?.[0];
}

/** A block of extracted text: a heading (with its level, 1 = top) or a paragraph. */
export interface TextBlock {
  kind: "heading" | "paragraph";
  text: string;
  /** Heading level, 1 = top; absent for paragraphs. */
  level?: number;
}

/** The text of one page (PDF page, slide, or logical page of a text document), as ordered blocks. */
export interface ExtractedPage {
  /** 1-based page number as the reader would cite it. */
  pageNumber: number;
  blocks: TextBlock[];
}

/** What extraction returns for one document. */
export interface ExtractedDocument {
  type: DocumentType;
  pages: ExtractedPage[];
  /** Whether page numbers are the file's own (PDF pages, slides) or logical sections (DOCX, TXT, Markdown). */
  pagination: "physical" | "logical";
  /** Document title when the file names one (PDF metadata, first slide title). */
  title?: string;
}

/** A page that begins inside a chunk: `page` starts at character `at` of the chunk's text. */
export interface PageBreak {
  at: number;
  page: number;
}

/** The page of the character at `offset` in a chunk that starts on `pageStart` with `breaks` (ascending `at`). */
export function pageAtOffset(pageStart: number, breaks: readonly PageBreak[], offset: number): number {
  let page = pageStart;
  for (const b of breaks) {
    if (b.at > offset) break;
    page = b.page;
  }
  return page;
}

/** One retrieval unit cut from a document. */
export interface Chunk {
  /** 0-based position in the document; stable for the same input and options. */
  ordinal: number;
  text: string;
  pageStart: number;
  pageEnd: number;
  /** Where each page after `pageStart` begins in `text`; empty when the chunk lies on one page. */
  pageBreaks: PageBreak[];
  /** The heading of the section the chunk starts in. */
  heading?: string;
  /** Approximate token count of `text` (see `estimateTokens`). */
  tokens: number;
}
