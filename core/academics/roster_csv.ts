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

/** Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
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
    } else if (ch === '"' && field.trim() === "") {
      quoted = true;
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
