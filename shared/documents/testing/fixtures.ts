/** Test helper: reads a committed PDF fixture from `fixtures/pdfs/` (see its README for sources and licences). */
export function readPdfFixture(name: string): Promise<Uint8Array<ArrayBuffer>> {
  return Deno.readFile(new URL(`../../../fixtures/pdfs/${name}`, import.meta.url));
}

/** The fixture file names. */
export const PDF_FIXTURES = {
  english: "en_cnx_simultaneous_equations_CC-BY-3.0.pdf",
  german: "de_GeoTopo_lecture_notes_CC-BY-SA-4.0.pdf",
  arabic: "ar_habibi_tiny_CC-BY-SA-4.0.pdf",
  encrypted: "encrypted_password_CC-BY-SA-4.0.pdf",
} as const;
