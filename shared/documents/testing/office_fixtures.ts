/** Test helpers: tiny but valid DOCX and PPTX files built with jszip, so no binary Office fixtures are committed. */
import JSZip from "jszip";

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One paragraph of a test DOCX: a heading (level 1–3) or body text. */
export type DocxParagraph = { heading: 1 | 2 | 3; text: string } | { text: string };

/** A minimal DOCX (document, styles with "heading N" names, relationships) holding `paragraphs`. */
export async function buildDocx(paragraphs: DocxParagraph[]): Promise<Uint8Array> {
  const zip = new JSZip();
  zip.file(
    "[Content_Types].xml",
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
</Types>`,
  );
  zip.file(
    "_rels/.rels",
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
</Relationships>`,
  );
  zip.file(
    "word/_rels/document.xml.rels",
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>`,
  );
  const styles = [1, 2, 3].map((n) =>
    `<w:style w:type="paragraph" w:styleId="Heading${n}"><w:name w:val="heading ${n}"/></w:style>`
  ).join("");
  zip.file(
    "word/styles.xml",
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">${styles}</w:styles>`,
  );
  const body = paragraphs.map((p) => {
    const style = "heading" in p ? `<w:pPr><w:pStyle w:val="Heading${p.heading}"/></w:pPr>` : "";
    return `<w:p>${style}<w:r><w:t xml:space="preserve">${escape(p.text)}</w:t></w:r></w:p>`;
  }).join("");
  zip.file(
    "word/document.xml",
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
  return await zip.generateAsync({ type: "uint8array" });
}

/** One slide of a test PPTX: a title and body lines. */
export interface TestSlide {
  title: string;
  lines: string[];
  /**
   * Right-to-left paragraphs (`a:rtl="1"`), their text cut into runs where the script changes, as PowerPoint
   * saves mixed Arabic and Latin.
   */
  rtl?: boolean;
}

/** Runs of one paragraph: one per stretch of Arabic or of other text, marked as PowerPoint marks them. */
function slideRuns(text: string, rtl: boolean): string {
  if (!rtl) return `<a:r><a:t>${escape(text)}</a:t></a:r>`;
  return (text.match(/[\u0600-\u06FF][\u0600-\u06FF\s]*|[^\u0600-\u06FF]+/g) ?? []).map((run) =>
    `<a:r><a:rPr lang="${/[\u0600-\u06FF]/.test(run) ? "ar-EG" : "en-US"}"/><a:t>${escape(run)}</a:t></a:r>`
  ).join("");
}

/**
 * A minimal PPTX. Slide parts are numbered in reverse of their order in `presentation.xml`, so a reader that
 * sorts by file name instead of following the presentation gets the order wrong.
 */
export async function buildPptx(slides: TestSlide[]): Promise<Uint8Array> {
  const zip = new JSZip();
  const ns = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ' +
    'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" ' +
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
  zip.file(
    "[Content_Types].xml",
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`,
  );
  const ids = slides.map((_, i) => `<p:sldId id="${256 + i}" r:id="rId${i + 1}"/>`).join("");
  zip.file(
    "ppt/presentation.xml",
    `<?xml version="1.0"?><p:presentation ${ns}><p:sldIdLst>${ids}</p:sldIdLst></p:presentation>`,
  );
  const rels = slides.map((_, i) =>
    `<Relationship Id="rId${
      i + 1
    }" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide${
      slides.length - i
    }.xml"/>`
  ).join("");
  zip.file(
    "ppt/_rels/presentation.xml.rels",
    `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}</Relationships>`,
  );
  slides.forEach((slide, i) => {
    const pPr = slide.rtl ? `<a:pPr algn="r" rtl="1"/>` : "";
    const paragraphs = slide.lines.map((l) => `<a:p>${pPr}${slideRuns(l, !!slide.rtl)}</a:p>`).join("");
    // The body shape comes first in the XML on purpose: readers still see the title first.
    zip.file(
      `ppt/slides/slide${slides.length - i}.xml`,
      `<?xml version="1.0"?><p:sld ${ns}><p:cSld><p:spTree>
<p:sp><p:nvSpPr><p:nvPr><p:ph idx="1"/></p:nvPr></p:nvSpPr><p:txBody>${paragraphs}</p:txBody></p:sp>
<p:sp><p:nvSpPr><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:txBody><a:p>${pPr}${
        slideRuns(slide.title, !!slide.rtl)
      }</a:p></p:txBody></p:sp>
</p:spTree></p:cSld></p:sld>`,
    );
  });
  return await zip.generateAsync({ type: "uint8array" });
}
