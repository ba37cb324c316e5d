// Subword tokenizers (BPE/WordPiece) split a typical English word into ~1.3 tokens (about 4 characters per
// token); Arabic and other non-Latin scripts split finer (about 3 characters per token); CJK is about one token
// per character. Punctuation-only pieces count one each.
const LATIN_CHARS_PER_TOKEN = 4;
const OTHER_CHARS_PER_TOKEN = 3;
const WORD = /[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]/gu;
const CJK = /[\u3040-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF]/;
const LATIN = /^[\p{Script=Latin}\p{N}\p{M}]+$/u;

/** Approximate token count of `text` for chunk sizing: no model tokenizer needed, and stable across runs. */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const [piece] of text.matchAll(WORD)) tokens += pieceTokens(piece);
  return tokens;
}

/** Approximate tokens of one word or punctuation mark. */
export function pieceTokens(piece: string): number {
  if (CJK.test(piece)) return piece.length;
  const perToken = LATIN.test(piece) ? LATIN_CHARS_PER_TOKEN : OTHER_CHARS_PER_TOKEN;
  return Math.max(1, Math.ceil(piece.length / perToken));
}
