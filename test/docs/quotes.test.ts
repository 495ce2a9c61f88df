// Every message the README and docs/ quote is one the code can print (see test/docs/quotes.ts for what
// counts as a quote). Reads files only: no processes.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { MessageMatcher } from './matcher.js';
import { codeTemplates, shellTemplates, typescriptTemplates } from './templates.js';
import { quotesIn } from './quotes.js';

const root = new URL('../../../', import.meta.url).pathname;

function documents(): { file: string; text: string }[] {
  const docs = readdirSync(join(root, 'docs')).filter((n) => n.endsWith('.md')).map((n) => `docs/${n}`);
  return ['README.md', ...docs].map((file) => ({ file, text: readFileSync(join(root, file), 'utf8') }));
}

describe('quoted messages', () => {
  test('every message quoted in README.md and docs/ exists in src/ or shims/', () => {
    const matcher = new MessageMatcher(codeTemplates(root));
    const quotes = documents().flatMap(({ file, text }) => quotesIn(file, text));
    assert.ok(quotes.length > 50, `only ${quotes.length} quotes found: the convention no longer finds them`);
    const missing = quotes.filter((q) => !matcher.matchesQuote(q.text)).map((q) => `${q.file}:${q.line}: ${q.text}`);
    assert.deepEqual(missing, [], `quoted, but printed by nothing in src/ or shims/:\n${missing.join('\n')}`);
  });

  test('the matcher: values and built-up messages fill holes; sentences the code lacks do not match', () => {
    const matcher = new MessageMatcher([
      ...typescriptTemplates('const a = `${what} ${path} is writable by group or others (mode ${mode})`;\nconst b = "cache directory";'),
      ...shellTemplates('why="$why, so $tool cannot be installed or updated: put Node.js first"\nrun "no node on PATH"\necho "teleport-tools: $why; running the installed $tool $pick without updating it" >&2 # a comment, don\'t\n'),
    ]);
    assert.ok(matcher.matchesQuote('cache directory /home/a/.tsh/cache is writable by group or others (mode 777)'));
    assert.ok(matcher.matchesQuote('cache directory … is writable by group or others (mode <mode>)'));
    assert.ok(matcher.matchesQuote('teleport-tools: no node on PATH, so tsh cannot be installed or updated: …; running the installed tsh 17.0.1 without updating it'));
    assert.ok(!matcher.matchesQuote('teleport-tools: node (Node.js >= 20.19) is not on PATH; …'));
    assert.ok(!matcher.matchesQuote('cache directory … is readable by group or others (mode 777)'));
    assert.ok(!matcher.matchesQuote('teleport-tools: running the installed tsh 17.0.1 without asking'));
  });

  test('what counts as a quote: message tables, teleport-tools: spans, text blocks', () => {
    const markdown = [
      '| you see | do |', '| --- | --- |', '| `a message` and `another` | `not a quote` |', '',
      '| key | meaning |', '| --- | --- |', '| `not a quote either` | x |', '',
      'Prose with `teleport-tools: a warning` and `tsh login`.', '',
      '```text', 'a line printed', '```', '```sh', 'not printed', '```',
    ].join('\n');
    assert.deepEqual(quotesIn('x.md', markdown).map((q) => q.text), ['a message', 'another', 'teleport-tools: a warning', 'a line printed']);
  });
});
