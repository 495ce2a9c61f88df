/**
 * Whether a message quoted in the docs is one the code prints (templates.ts).
 *
 * A quote is split at its placeholders (`…` and `<name>`) into runs. A run that is one word (a path, a
 * version) is taken as a value, and one shorter than MIN_FIXED is too short to tell. Any other run
 * matches when it is a chain of pieces, each a stretch of one template with at least MIN_FIXED characters
 * of that template's fixed text (MIN_JOINED when it starts where its template has a hole, right after an
 * earlier piece). A hole stands for a value (one word such as `tsh`, `17.0.1`, `/usr/bin/node`, or a
 * number and its unit such as `402.6 MiB`) or for text that itself matches (a message built from others)
 * and ends where the template's next fixed part starts. Between pieces there may only be spaces and
 * punctuation. So a quote copied from a real message passes, and a sentence the code never prints fails.
 */
import type { Template } from './templates.js';

/** Fixed text a piece must share with its template, so single words cannot be stitched into a message. */
const MIN_FIXED = 10;
/** Fixed text a piece needs when it starts, right after an earlier piece, where its template has a hole. */
const MIN_JOINED = 6;
/** The longest value a hole stands for when it is one word. */
const MAX_VALUE = 80;

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
