/**
 * The messages the code can print, as templates: every string literal of src/ (TypeScript, read with the
 * compiler's own parser) and every quoted string of shims/ (sh), as its fixed text with a hole wherever the
 * program fills something in (`${…}` in TypeScript; `$name`, `${…}` and `$(…)` in sh).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type * as TypeScript from 'typescript';

// require(), not import: importing the compiler's one large CommonJS file makes Node.js scan all of it
// for its exports first.
const ts = createRequire(import.meta.url)('typescript') as typeof TypeScript;

export interface Template {
  /** The fixed parts; a hole lies between each two. */
  parts: string[];
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, keep));
    else if (keep(name)) out.push(path);
  }
  return out;
}

/** Every string literal and template literal of a TypeScript file. */
export function typescriptTemplates(text: string): Template[] {
  const file = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: Template[] = [];
  const visit = (node: TypeScript.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) out.push({ parts: [node.text] });
    else if (ts.isTemplateExpression(node)) out.push({ parts: [node.head.text, ...node.templateSpans.map((s) => s.literal.text)] });
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

/** The end of a `${…}` or `$(…)` whose opening bracket is at `i`, counting nested brackets. */
function expansionEnd(text: string, i: number, open: string, close: string): number {
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    if (text[j] === open) depth++;
    else if (text[j] === close && --depth === 0) return j + 1;
  }
  return text.length;
}

/** The word of `name:+word`, `name:-word`, `name+word` or `name-word` (what the shell may print). */
function alternative(expansion: string): string | undefined {
  return /^[A-Za-z_][A-Za-z0-9_]*:?[-+](.+)$/s.exec(expansion)?.[1];
}

/** Reads the double-quoted string whose opening quote is at `i` into `out`; returns where it ends. */
function doubleQuoted(text: string, i: number, out: Template[]): number {
  const parts: string[] = [];
  let current = '';
  let j = i + 1;
  while (j < text.length && text[j] !== '"') {
    if (text[j] === '\\') {
      current += text[j + 1] ?? '';
      j += 2;
    } else if (text[j] === '$') {
      const next = text[j + 1] ?? '';
      let end = j + 1;
      if (next === '{') {
        end = expansionEnd(text, j + 1, '{', '}');
        const word = alternative(text.slice(j + 2, end - 1));
        if (word) out.push({ parts: [word] });
      } else if (next === '(') {
        end = expansionEnd(text, j + 1, '(', ')');
      } else {
        while (end < text.length && /[A-Za-z0-9_?#@*!$-]/.test(text[end] ?? '') && (end === j + 1 || /[A-Za-z0-9_]/.test(text[end] ?? ''))) end++;
      }
      if (end === j + 1) {
        current += '$';
      } else {
        parts.push(current);
        current = '';
      }
      j = end;
    } else {
      current += text[j] ?? '';
      j++;
    }
  }
  out.push({ parts: [...parts, current] });
  return j + 1;
}

/**
 * The quoted strings of a sh script. In double quotes, expansions are holes; the word of a `${name:+word}`
 * (quoted or not) is a template of its own.
 */
export function shellTemplates(text: string): Template[] {
  const out: Template[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol;
    } else if (c === '\\') {
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      out.push({ parts: [text.slice(i + 1, end < 0 ? text.length : end)] });
      i = end < 0 ? text.length : end + 1;
    } else if (c === '$' && text[i + 1] === '{') {
      const end = expansionEnd(text, i + 1, '{', '}');
      const word = alternative(text.slice(i + 2, end - 1));
      if (word) out.push({ parts: [word] });
      i = end;
    } else if (c === '"') {
      i = doubleQuoted(text, i, out);
    } else {
      i++;
    }
  }
  return out;
}

/** Text that Node.js itself puts into the errors our messages pass on (the docs quote it for searching). */
export const NODE_TEMPLATES: readonly Template[] = [
  { parts: ['unable to verify the first certificate'] },
  { parts: ['self-signed certificate in certificate chain'] },
  { parts: ['getaddrinfo ENOTFOUND ', ''] },
  { parts: ['connect ECONNREFUSED ', ''] },
];

/** Every template the code under `root` can print: src/**\/*.ts, every file under shims/, and NODE_TEMPLATES. */
export function codeTemplates(root: string): Template[] {
  const out: Template[] = [...NODE_TEMPLATES];
  for (const path of filesUnder(join(root, 'src'), (n) => n.endsWith('.ts'))) out.push(...typescriptTemplates(readFileSync(path, 'utf8')));
  for (const path of filesUnder(join(root, 'shims'), () => true)) out.push(...shellTemplates(readFileSync(path, 'utf8')));
  return out.filter((t) => t.parts.join('').trim() !== '');
}
