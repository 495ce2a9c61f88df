/**
 * The messages the docs quote. What counts as a quoted message (docs/troubleshooting.md says the same at
 * its top):
 *  - every inline code span in the first column of a table whose first heading is `you see`,
 *    `doctor says` or `message`;
 *  - every inline code span that starts with `teleport-tools: `;
 *  - every line of a fenced block marked `text`.
 * In a quote, `…` and `<name>` stand for text the program fills in (or text left out); everything else
 * must be what the program prints.
 */
export interface Quote {
  file: string;
  line: number;
  text: string;
}

const MESSAGE_TABLES = new Set(['you see', 'doctor says', 'message']);

function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
}

/** The cells of a table row, split at `|` outside code spans (a message may hold `\|`). */
function cells(row: string): string[] {
  const out = [''];
  let code = false;
  for (let i = 0; i < row.length; i++) {
    const c = row[i] ?? '';
    if (c === '`') code = !code;
    if (c === '\\' && row[i + 1] === '|') {
      out[out.length - 1] += '|';
      i++;
    } else if (c === '|' && !code) {
      out.push('');
    } else {
      out[out.length - 1] += c;
    }
  }
  return out.slice(1, -1).map((cell) => cell.trim());
}

export function quotesIn(file: string, markdown: string): Quote[] {
  const out: Quote[] = [];
  const lines = markdown.split('\n');
  let fence: string | undefined;
  let messageTable = false;
  lines.forEach((line, index) => {
    const at = { file, line: index + 1 };
    const fenceMark = /^\s*```(\w*)/.exec(line);
    if (fenceMark) {
      fence = fence === undefined ? fenceMark[1] ?? '' : undefined;
      return;
    }
    if (fence !== undefined) {
      if (fence === 'text' && line.trim() !== '') out.push({ ...at, text: line.trim() });
      return;
    }
    if (line.startsWith('|')) {
      const row = cells(line);
      const first = row[0] ?? '';
      if (index === 0 || !(lines[index - 1] ?? '').startsWith('|')) messageTable = MESSAGE_TABLES.has(first.toLowerCase());
      else if (messageTable && !/^-+$/.test(first)) for (const span of codeSpans(first)) out.push({ ...at, text: span });
    } else {
      messageTable = false;
    }
    for (const span of codeSpans(line)) {
      if (span.startsWith('teleport-tools: ') && !out.some((q) => q.line === at.line && q.text === span)) out.push({ ...at, text: span });
    }
  });
  return out;
}
