/**
 * The tutor's answers as safe HTML: Markdown by `marked`, then sanitised by DOMPurify (model text is never
 * trusted: no scripts, no event handlers, no `javascript:` links). Math between `$…$` / `$$…$$` (or `\(…\)`,
 * `\[…\]`) is cut out before Markdown sees it and typeset by KaTeX, which is loaded only when an answer has math.
 */
import DOMPurify from "dompurify";
import { Marked } from "marked";

const markdown = new Marked({ gfm: true, breaks: false, async: false });

const MATH = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|\$([^\s$](?:[^$\n]*?[^\s$])?)\$/g;

interface MathPart {
  tex: string;
  display: boolean;
}

type Katex = typeof import("katex").default;
let katex: Katex | null = null;
let loadingKatex: Promise<Katex> | null = null;

/** Loads KaTeX (its code and stylesheet with locally bundled fonts) on first use. */
export function loadKatex(): Promise<Katex> {
  loadingKatex ??= Promise.all([import("katex"), import("katex/dist/katex.min.css")]).then(([m]) => {
    katex = m.default;
    return katex;
  });
  return loadingKatex;
}

/** Whether `text` holds math that needs KaTeX. */
export function hasMath(text: string): boolean {
  MATH.lastIndex = 0;
  return MATH.test(text);
}

/**
 * Renders `text` to sanitised HTML. Math is typeset when KaTeX is loaded; before that (or while it loads) the TeX
 * source is shown as code, so nothing waits on it.
 */
export function renderMarkdown(text: string): string {
  const parts: MathPart[] = [];
  const withoutMath = text.replace(MATH, (_whole, block, bracket, paren, inline) => {
    const display = block !== undefined || bracket !== undefined;
    parts.push({ tex: (block ?? bracket ?? paren ?? inline).trim(), display });
    return `\uE000MATH${parts.length - 1}\uE001`;
  });
  let html = markdown.parse(withoutMath) as string;
  html = html.replace(/\uE000MATH(\d+)\uE001/g, (_whole, i) => typeset(parts[Number(i)]));
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true, mathMl: true, svg: true } });
}

function typeset(part: MathPart): string {
  if (!katex) return `<code class="tex">${escapeHtml(part.tex)}</code>`;
  return katex.renderToString(part.tex, {
    displayMode: part.display,
    throwOnError: false,
    trust: false,
    output: "htmlAndMathml",
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
