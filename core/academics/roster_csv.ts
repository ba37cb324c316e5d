/** Parses a roster CSV (`email,role` per row, optional header) into rows with their line numbers. */

/** One data row of a roster file. */
export interface RosterRow {
  /** 1-based line number in the file, for the per-row report. */
  line: number;
  email: string;
  role: string;
}

/** Largest roster accepted in one import. */
export const MAX_ROSTER_ROWS = 5000;

/**
 * Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, CRLF or LF), numbered by the line they
 * start on. Lenient where a roster needs it: a quote inside a field is kept as a character, and a quote that is
 * never closed is read as a character too (so one stray quote makes one bad row, not one row of the rest of the
 * file).
 */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  // Where the open quote was, and the state just before it: a quote never closed is read again from there.
  let opened = { at: -1, fields: [] as string[], field: "", line: 1 };
  const literalQuotes = new Set<number>();
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0].trim() !== "") records.push({ line: recordLine, fields });
    fields = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field.trim() === "" && !literalQuotes.has(i)) {
      quoted = true;
      opened = { at: i, fields: [...fields], field, line };
      field = "";
    } else if (ch === ",") {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += ch;
    if (quoted && i === text.length - 1) {
      // Never closed: read on from that quote as a plain character.
      literalQuotes.add(opened.at);
      ({ fields, field, line } = { ...opened, fields: [...opened.fields] });
      quoted = false;
      i = opened.at - 1;
    }
  }
  if (field !== "" || fields.length > 0) endRecord();
  return records;
}

/** Reads roster rows from CSV text: the header row (`email,role`) is optional; a missing role means student. */
export function parseRoster(text: string): RosterRow[] {
  const records = parseCsv(text.replace(/^\uFEFF/, ""));
  const first = records[0]?.fields.map((f) => f.trim().toLowerCase());
  const body = first && first[0] === "email" ? records.slice(1) : records;
  return body.map(({ line, fields }) => ({
    line,
    email: (fields[0] ?? "").trim().toLowerCase(),
    role: (fields[1] ?? "").trim().toLowerCase() || "student",
  }));
}
