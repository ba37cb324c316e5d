/**
 * Regenerates the Arabic test PDFs in `fixtures/pdfs/generated/` from the texts in
 * `shared/documents/testing/arabic_corpus.ts`: writes each as a flat ODT (right-to-left pages, Amiri or its font,
 * running header, page-number footer, optional justification and two columns) and has LibreOffice typeset it.
 * Needs `soffice`, Amiri and DejaVu Sans (Debian: libreoffice-writer-nogui fonts-hosny-amiri fonts-dejavu-core).
 * Documents marked `docx` are also saved as DOCX by LibreOffice (right-to-left paragraphs as `w:bidi`, runs as
 * `w:rtl`). Run: `deno run -A tools/make_arabic_pdfs.ts`. The files are committed, so tests need no
 * LibreOffice; a rerun changes their bytes (dates, ids) but not their text.
 */
import { ARABIC_CORPUS, type CorpusDocument } from "../shared/documents/testing/arabic_corpus.ts";

const OUT = new URL("../fixtures/pdfs/generated/", import.meta.url);

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A flat ODT (.fodt) of one corpus document. */
export function flatOdt(doc: CorpusDocument): string {
  // Small pages keep the PDFs small and spread the text over several pages (running headers need three).
  const font = doc.font ?? "Amiri";
  const [width, height] = doc.columns === 2 ? ["10.5cm", "14.8cm"] : ["14.8cm", "21cm"];
  const columns = doc.columns === 2
    ? `<style:columns fo:column-count="2" fo:column-gap="0.8cm"/>`
    : `<style:columns fo:column-count="1"/>`;
  const body = doc.blocks.map((b) =>
    b.heading
      ? `<text:h text:style-name="Heading" text:outline-level="1">${escapeXml(b.text)}</text:h>`
      : `<text:p text:style-name="Body">${escapeXml(b.text)}</text:p>`
  ).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><meta:generator>ai-teacher tools/make_arabic_pdfs.ts</meta:generator></office:meta>
<office:font-face-decls>
 <style:font-face style:name="${font}" svg:font-family="${font}"/>
</office:font-face-decls>
<office:styles>
 <style:default-style style:family="paragraph">
  <style:paragraph-properties style:writing-mode="rl-tb" fo:text-align="start"/>
  <style:text-properties style:font-name="${font}" fo:font-size="12pt" fo:language="en" fo:country="US"
   style:font-name-complex="${font}" style:font-size-complex="12pt" style:language-complex="ar"
   style:country-complex="EG"/>
 </style:default-style>
 <style:style style:name="Body" style:family="paragraph">
  <style:paragraph-properties fo:text-align="${
    doc.justified ? "justify" : "start"
  }" fo:margin-bottom="0.2cm"/>
 </style:style>
 <style:style style:name="Heading" style:family="paragraph">
  <style:paragraph-properties fo:margin-top="0.3cm" fo:margin-bottom="0.2cm" fo:keep-with-next="always"/>
  <style:text-properties fo:font-size="16pt" style:font-size-complex="16pt" fo:font-weight="bold"
   style:font-weight-complex="bold"/>
 </style:style>
 <style:style style:name="Running" style:family="paragraph">
  <style:paragraph-properties fo:text-align="center"/>
  <style:text-properties fo:font-size="9pt" style:font-size-complex="9pt"/>
 </style:style>
</office:styles>
<office:automatic-styles>
 <style:page-layout style:name="Page">
  <style:page-layout-properties fo:page-width="${width}" fo:page-height="${height}" fo:margin-top="1cm"
   fo:margin-bottom="1cm" fo:margin-left="1.2cm" fo:margin-right="1.2cm" style:writing-mode="rl-tb">
   ${columns}
  </style:page-layout-properties>
  <style:header-style><style:header-footer-properties fo:margin-bottom="0.3cm"/></style:header-style>
  <style:footer-style><style:header-footer-properties fo:margin-top="0.3cm"/></style:footer-style>
 </style:page-layout>
</office:automatic-styles>
<office:master-styles>
 <style:master-page style:name="Standard" style:page-layout-name="Page">
  <style:header><text:p text:style-name="Running">${escapeXml(doc.header)}</text:p></style:header>
  <style:footer><text:p text:style-name="Running">صفحة <text:page-number text:select-page="current">1</text:page-number></text:p></style:footer>
 </style:master-page>
</office:master-styles>
<office:body><office:text>
${body}
</office:text></office:body>
</office:document>
`;
}

/** Has LibreOffice convert `source` to `format`, and copies the result to `fixtures/pdfs/generated/name`. */
async function convert(work: string, source: string, format: "pdf" | "docx", name: string): Promise<void> {
  const run = await new Deno.Command("soffice", {
    args: [
      `-env:UserInstallation=file://${work}/profile`,
      "--headless",
      "--convert-to",
      format,
      "--outdir",
      work,
      source,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!run.success) throw new Error(`soffice failed on "${name}": ${new TextDecoder().decode(run.stderr)}`);
  const bytes = await Deno.readFile(`${work}/${name}`);
  await Deno.writeFile(new URL(name, OUT), bytes);
  console.log(`${name}: ${bytes.byteLength} bytes`);
}

if (import.meta.main) {
  await Deno.mkdir(OUT, { recursive: true });
  const work = await Deno.makeTempDir({ prefix: "arabic_pdfs_" });
  try {
    for (const doc of ARABIC_CORPUS) {
      const source = `${work}/${doc.file.replace(/\.pdf$/, ".fodt")}`;
      await Deno.writeTextFile(source, flatOdt(doc));
      await convert(work, source, "pdf", doc.file);
      // A DOCX of the same text, with Word's right-to-left paragraph and run properties (w:bidi, w:rtl).
      if (doc.docx) await convert(work, source, "docx", doc.file.replace(/\.pdf$/, ".docx"));
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}
