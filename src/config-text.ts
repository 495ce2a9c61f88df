/**
 * tools.yaml as `teleport-tools config set` writes it, read without the yaml package: loading yaml
 * costs more than everything else an up-to-date `tsh login` does in Node.js (docs/architecture.md,
 * performance rules), and every launcher run reads the file when it exists. The subset is small and strict: top-level
 * `key: value` lines, block lists (`  - item`) or flow lists (`[a, b]`) of plain scalars, whole-line
 * comments and blank lines. A plain scalar here is true/false or a string of URL-ish characters that
 * YAML 1.2's core schema reads as a string. Anything else, including every invalid file, returns
 * undefined and goes to the yaml package, so the answer (and each error message) is always yaml's.
 */

const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$/;
const ITEM_LINE = /^( *)- (.*)$/;
const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./:@%+=~?&-]*$/;
/** Plain scalars YAML 1.2's core schema reads as null or a number: left to the yaml package. */
const NOT_A_STRING = /^(?:null|Null|NULL|~|0o[0-7]+|0x[0-9a-fA-F]+|[0-9]+|[0-9]*\.[0-9]*(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+|\.(?:inf|Inf|INF|nan|NaN|NAN))$/;
const BOOLEANS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };

type Scalar = string | boolean;

function scalar(text: string, inFlow: boolean): Scalar | undefined {
  if (Object.hasOwn(BOOLEANS, text)) return BOOLEANS[text];
  if (!PLAIN.test(text) || text.endsWith(':') || NOT_A_STRING.test(text)) return undefined;
  // In a flow list a colon starts a mapping in some readings: not ours to decide.
  if (inFlow && text.includes(':')) return undefined;
  return text;
}

/** Spaces only: String.trim() also takes form feeds, no-break spaces and the like, which YAML keeps as text. */
const trimSpaces = (text: string): string => text.replace(/^ +| +$/g, '');

function flowList(text: string): Scalar[] | undefined {
  const inner = /^\[(.*)\]$/.exec(text)?.[1];
  if (inner === undefined) return undefined;
  if (trimSpaces(inner) === '') return [];
  const items = inner.split(',').map((item) => scalar(trimSpaces(item), true));
  return items.every((item) => item !== undefined) ? (items as Scalar[]) : undefined;
}

/** The file's mapping, or undefined when the text is outside the subset (ask the yaml package). */
export function parseSimpleConfig(text: string): Record<string, unknown> | undefined {
  if (/[\t\r\uFEFF]/.test(text)) return undefined;
  const entries = new Map<string, Scalar | Scalar[]>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '' || line.startsWith('#')) continue;
    if (/\s$/.test(line)) return undefined;
    const match = KEY_LINE.exec(line);
    if (!match) return undefined;
    const key = match[1] as string;
    const rest = match[2];
    if (entries.has(key)) return undefined;
    if (rest === undefined) {
      // A block list follows, every item at the same indentation.
      const items: Scalar[] = [];
      let indent: string | undefined;
      for (let item = ITEM_LINE.exec(lines[i + 1] ?? ''); item; item = ITEM_LINE.exec(lines[i + 1] ?? '')) {
        indent ??= item[1];
        const value = item[1] === indent ? scalar(item[2] as string, false) : undefined;
        if (value === undefined) return undefined;
        items.push(value);
        i++;
      }
      if (items.length === 0) return undefined;
      entries.set(key, items);
      continue;
    }
    const value = rest.startsWith('[') ? flowList(rest) : scalar(rest, false);
    if (value === undefined) return undefined;
    entries.set(key, value);
  }
  return Object.fromEntries(entries);
}
