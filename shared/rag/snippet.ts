import { searchTerms } from "../text/normalize.ts";

/**
 * The passage of a chunk that shares most terms with the query, about `words` words long, with ellipses where
 * text was cut. Matching uses the search normalisation, so "universities" highlights a query's "university".
 */
export function makeSnippet(text: string, queryTerms: string[], words = 40): string {
  const tokens = text.split(/\s+/).filter(Boolean);
  if (tokens.length <= words) return tokens.join(" ");
  const wanted = new Set(queryTerms);
  const hits = tokens.map((token) => searchTerms(token).some((t) => wanted.has(t)) ? 1 : 0);
  let best = 0;
  let bestStart = 0;
  let current = 0;
  for (let i = 0; i < tokens.length; i++) {
    current += hits[i];
    if (i >= words) current -= hits[i - words];
    if (i >= words - 1 && current > best) {
      best = current;
      bestStart = i - words + 1;
    }
  }
  const end = Math.min(tokens.length, bestStart + words);
  return `${bestStart > 0 ? "… " : ""}${tokens.slice(bestStart, end).join(" ")}${
    end < tokens.length ? " …" : ""
  }`;
}
