/**
 * The messages the code can print, as templates, and a matcher that says whether a message quoted in the
 * docs is one of them. A template is a string literal of src/ (TypeScript, read with the compiler's own
 * parser) or of shims/ (sh): its fixed text, with a hole wherever the program fills something in
 * (`${…}` in TypeScript, `$name`, `${…}` and `$(…)` in sh).
 *
 * A quote is split at its placeholders (`…` and `<name>`) into runs. A run that is one word (a path, a
 * version) is taken as a value, and one shorter than MIN_FIXED is too short to tell. Any other run matches when it is a chain of pieces, each a stretch of one
 * template with at least MIN_FIXED characters of that template's fixed text (or all of a shorter run),
 * where a hole stands for a value (one word such as `tsh`, `17.0.1`, `/usr/bin/node`, or a number and its
 * unit such as `402.6 MiB`) or for text that itself matches (a message built from others) and ends where
 * the run ends or the template's next fixed part starts. Between pieces there may only be spaces and
 * punctuation. So a quote copied from a real message passes, and a sentence the code never prints fails.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type * as TypeScript from 'typescript';

// require(), not import: importing the compiler's one large CommonJS file makes Node.js scan all of it
// for its exports first.
const ts = createRequire(import.meta.url)('typescript') as typeof TypeScript;

/** Fixed text a piece must share with its template, so single words cannot be stitched into a message. */
const MIN_FIXED = 10;
/** Fixed text a piece needs when it starts, right after an earlier piece, where its template has a hole. */
const MIN_JOINED = 6;
/** The longest value a hole stands for when it is one word. */
const MAX_VALUE = 80;

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
      i = j + 1;
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

interface Spot {
  template: Template;
  part: number;
  offset: number;
}

/** A piece that starts inside a fixed part starts with at least this much of it. */
const START = 6;
const GRAM = 3;
const FILLER = /^[\s,;:.()'"`]*$/;
/** One word (`tsh`, `17.0.1`, `/usr/bin/node`), or a number and its unit (`402.6 MiB`, `30 s`). */
const isValue = (text: string): boolean => valueEnds(text, 0).includes(text.length) && text.length > 0;

export class MessageMatcher {
  /** Where each START-character string stands in the fixed parts (every offset). */
  private readonly anywhere = new Map<string, Spot[]>();
  /** Every fixed part by its first GRAM characters: a piece may start where a part starts, however short. */
  private readonly partStart = new Map<string, Spot[]>();
  private readonly memo = new Map<string, boolean>();
  private readonly ids = new Map<Template, number>();

  constructor(templates: readonly Template[]) {
    for (const template of templates) {
      this.ids.set(template, this.ids.size);
      template.parts.forEach((part, index) => {
        for (let offset = 0; offset + START <= part.length; offset++) {
          MessageMatcher.add(this.anywhere, part.slice(offset, offset + START), { template, part: index, offset });
        }
        if (part.length > 0) MessageMatcher.add(this.partStart, part.slice(0, GRAM), { template, part: index, offset: 0 });
      });
    }
  }

  /** The spots whose key starts `text` at `at` (a key is shorter than GRAM at the end of a part). */
  private spots(map: Map<string, Spot[]>, text: string, at: number): Spot[] {
    const out: Spot[] = [];
    for (let length = 1; length <= GRAM && at + length <= text.length; length++) out.push(...(map.get(text.slice(at, at + length)) ?? []));
    return out;
  }

  private static add(map: Map<string, Spot[]>, key: string, spot: Spot): void {
    const list = map.get(key);
    if (list) list.push(spot);
    else map.set(key, [spot]);
  }

  /** Does `quote` (placeholders `…` and `<name>` allowed) match something the code prints? */
  matchesQuote(quote: string): boolean {
    return placeholderRuns(quote).every((run) => run.length < MIN_FIXED || isValue(run) || this.covers(run));
  }

  /** Is `text` a chain of template pieces with only spaces and punctuation between them? */
  covers(text: string): boolean {
    const known = this.memo.get(text);
    if (known !== undefined) return known;
    this.memo.set(text, false);
    const reach = new Array<boolean>(text.length + 1).fill(false);
    reach[0] = true;
    for (let i = 0; i < text.length && !reach[text.length]; i++) {
      if (!reach[i]) continue;
      if (FILLER.test(text[i] ?? '')) reach[i + 1] = true;
      for (const end of this.piecesFrom(text, i, Math.min(MIN_FIXED, text.length - i))) reach[end] = true;
    }
    const result = reach[text.length] === true;
    this.memo.set(text, result);
    return result;
  }

  /** The ends of every piece of `text` that starts at `start`. */
  private piecesFrom(text: string, start: number, need: number): Set<number> {
    const walk: Walk = { text, ends: new Set<number>(), seen: new Set<string>() };
    const starts = [...(this.anywhere.get(text.slice(start, start + START)) ?? []), ...this.spots(this.partStart, text, start)];
    for (const spot of starts) {
      // After an earlier piece, a fixed part that follows a hole may be shorter: the earlier piece fills it.
      const joined = start > 0 && spot.part > 0 && spot.offset === 0;
      this.follow(walk, spot, start, 0, joined ? Math.min(need, MIN_JOINED) : need);
    }
    // A piece that starts with a value filling a hole, then the fixed part after it.
    for (const q of valueEnds(text, start)) {
      if (q > start) for (const spot of this.spots(this.partStart, text, q)) if (spot.part > 0) this.follow(walk, spot, q, 0, need);
    }
    return walk.ends;
  }

  /** Match a template from `spot` against the text at `at`, collecting where pieces end. */
  private follow(walk: Walk, spot: Spot, at: number, fixed: number, need: number): void {
    const { text, ends } = walk;
    const { template, part, offset } = spot;
    const rest = (template.parts[part] ?? '').slice(offset);
    if (!text.startsWith(rest, at)) {
      if (rest.startsWith(text.slice(at)) && fixed + text.length - at >= need) ends.add(text.length);
      return;
    }
    const key = `${this.ids.get(template)}:${part}:${at}:${Math.min(fixed + rest.length, need)}:${need}`;
    if (walk.seen.has(key)) return;
    walk.seen.add(key);
    const after = at + rest.length;
    const total = fixed + rest.length;
    if (total >= need && total > 0) ends.add(after);
    if (part + 1 >= template.parts.length) return;
    const next: Spot = { template, part: part + 1, offset: 0 };
    for (const q of this.holeEnds(text, after, template.parts[part + 1] ?? '')) {
      if (q > after && total >= need) ends.add(q);
      this.follow(walk, next, q, total, need);
    }
  }

  /**
   * Where a hole starting at `after` may end: after a value, or after a message built from others that
   * ends where the template's next fixed part starts. (A hole that runs to the end of the text needs no
   * message of its own: the piece ends where the hole starts, and the next pieces cover the rest.)
   */
  private holeEnds(text: string, after: number, next: string): Set<number> {
    const out = new Set(valueEnds(text, after));
    if (next === '') return out;
    for (let q = text.indexOf(next, after + 1); q >= 0; q = text.indexOf(next, q + 1)) {
      if (!out.has(q) && this.covers(text.slice(after, q))) out.add(q);
    }
    return out;
  }
}

interface Walk {
  text: string;
  ends: Set<number>;
  /** Template states already followed, so each is followed once. */
  seen: Set<string>;
}

/** Where a value (see isValue) starting at `start` may end; `start` itself for an empty one. */
function valueEnds(text: string, start: number): number[] {
  const out = [start];
  for (let q = start + 1; q <= text.length && q - start <= MAX_VALUE && !/\s/.test(text[q - 1] ?? ''); q++) out.push(q);
  const unit = /^[\d.,]+ [A-Za-z]{1,4}(?![A-Za-z])/.exec(text.slice(start));
  if (unit) out.push(start + unit[0].length);
  return out;
}

/** The runs of a quote between its placeholders (`…`, `<name>`), trimmed, empty ones dropped. */
export function placeholderRuns(quote: string): string[] {
  return quote.split(/…|<[^<>\s][^<>]*>/).map((r) => r.trim()).filter((r) => r !== '' && !FILLER.test(r));
}
