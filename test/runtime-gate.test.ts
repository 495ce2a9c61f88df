// The runtime gate as a pure function, its floor (package.json engines, the one place that says it),
// and the rule that lets it run on old runtimes: the files that run before the check use no syntax
// newer than ES2019 and load nothing newer.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { NODE_FIX, parseEngines, parseNodeVersion, readPackage, refusalLine, runtimeProblem } from '../src/runtime-gate.js';
import { loadSettings } from '../src/settings.js';
import { REPO } from './helpers/sandbox.js';

describe('runtime gate', () => {
  test('the floor is package.json engines.node, and the package version is the one the CLI and the user agent report', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
    assert.equal(pkg.engines.node, '>=20.19');
    assert.deepEqual(await readPackage(), { version: pkg.version, floor: '20.19' });
    const settings = await loadSettings({ env: { HOME: '/nonexistent-home' } });
    assert.equal(settings.userAgent, `teleport-tools/${pkg.version} node/${process.versions.node}`);
    for (const [range, floor] of [['>=20.19', '20.19'], ['>= 22', '22'], ['>=20.19.1', '20.19.1']] as const) assert.equal(parseEngines(range), floor);
    for (const range of ['^20.19', '20.19', '>=20.19 <25', '', undefined, 20]) assert.equal(parseEngines(range), undefined, String(range));
  });

  test('below the floor: one line naming the version, the binary, the floor and the fix', () => {
    const problem = runtimeProblem('18.20.4', '/usr/bin/node', '20.19');
    assert.equal(problem, 'Node.js 18.20.4 (/usr/bin/node) is too old: teleport-tools needs Node.js 20.19 or later to install or update');
    const line = refusalLine(problem ?? '');
    assert.equal(line, `teleport-tools: ${problem}; ${NODE_FIX}`);
    assert.doesNotMatch(line, /\n/);
    for (const fix of ['nvm', 'NodeSource', 'brew', 'PATH=/path/to/newer/node/bin:$PATH']) assert.ok(NODE_FIX.includes(fix), fix);
  });

  test('a table of runtimes against the floor 20.19', () => {
    const ok = ['20.19.0', '20.19.1', '20.20.2', '21.0.0', '22.12.0', '24.0.0', '100.0.0', '20.19.0-pre', '23.0.0-nightly20240101abcdef', 'v22.1.0'];
    const tooOld = ['20.18.3', '20.0.0', '19.9.0', '18.20.4', '18.19.1', '16.20.2', '14.21.3', '12.22.9', '10.19.0', '0.10.48'];
    for (const v of ok) assert.equal(runtimeProblem(v, '/n', '20.19'), undefined, v);
    for (const v of tooOld) assert.match(runtimeProblem(v, '/n', '20.19') ?? '', /^Node\.js [\d.]+ \(\/n\) is too old: /, v);
    assert.equal(runtimeProblem('20.19.0', '/n', '20.19.1') === undefined, false);
    assert.equal(runtimeProblem('22.0.0', '/n', '22'), undefined);
  });

  test('a version that is not one: said as such, shown quoted and cut short', () => {
    for (const v of ['', 'garbage', '20.19', '20.19.0.1', '1e3.0.0', ' 20.19.0', '20.19.0\n', '1234567.0.0', undefined, null, 22, {}]) {
      assert.equal(parseNodeVersion(v), undefined, String(v));
      assert.match(runtimeProblem(v, '/opt/node', '20.19') ?? '', /^\/opt\/node reports Node\.js version ".*", which is not a Node\.js release: teleport-tools needs Node\.js 20\.19 or later/, String(v));
    }
    const long = runtimeProblem('x'.repeat(500), '/n', '20.19') ?? '';
    assert.ok(long.length < 200, long);
    const escaped = runtimeProblem('a\nb\u001b[2J', '/n', '20.19') ?? '';
    assert.ok(!escaped.includes('\n') && !escaped.includes('\u001b'), escaped);
  });
});

/** The files that run before the runtime is checked (scripts/postbuild.mjs compiles them for ES2019). */
const GATE_FILES = ['src/runtime-gate.js', 'src/launcher/main.js', 'src/launcher/main.cjs', 'src/cli/main.js', 'src/cli/old-runtime.js'];
/** What they may import: nothing but each other and `fs`. */
const ALLOWED_IMPORTS = new Set(['fs', '../runtime-gate.js', './run.js', './old-runtime.js']);
/** What the bundled gate (main.cjs, what the shims start) may require: the same, and url/path for its own location. */
const ALLOWED_REQUIRES = new Set(['fs', 'url', 'path', './run.cjs']);

describe('the gate files parse on old runtimes', () => {
  for (const file of GATE_FILES) {
    test(`dist/${file}: ES2019 syntax, no top-level await, imports only the gate`, async () => {
      const text = await readFile(join(REPO, 'dist', file), 'utf8');
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
      const found: string[] = [];
      const visit = (node: ts.Node, topLevel: boolean): void => {
        if (node.kind === ts.SyntaxKind.QuestionDotToken || node.kind === ts.SyntaxKind.QuestionQuestionToken) found.push(ts.SyntaxKind[node.kind]);
        if (ts.isBinaryExpression(node) && [ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken].includes(node.operatorToken.kind)) found.push('logical assignment');
        if (ts.isPropertyDeclaration(node) || ts.isPrivateIdentifier(node) || ts.isClassStaticBlockDeclaration(node)) found.push('class field');
        if (ts.isNumericLiteral(node) && node.getText().includes('_')) found.push('numeric separator');
        if (ts.isBigIntLiteral(node)) found.push('bigint');
        if (topLevel && ts.isAwaitExpression(node)) found.push('top-level await');
        if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && !ALLOWED_IMPORTS.has(node.moduleSpecifier.text)) found.push(`import ${node.moduleSpecifier.text}`);
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
          const [arg] = node.arguments;
          if (!arg || !ts.isStringLiteral(arg) || !ALLOWED_REQUIRES.has(arg.text)) found.push(`require(${arg?.getText() ?? ''})`);
        }
        if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
          const [arg] = node.arguments;
          if (!arg || !ts.isStringLiteral(arg) || !ALLOWED_IMPORTS.has(arg.text)) found.push(`import(${arg?.getText() ?? ''})`);
        }
        ts.forEachChild(node, (child) => visit(child, topLevel && !ts.isFunctionLike(node)));
      };
      visit(source, true);
      assert.deepEqual(found, []);
      if (file.endsWith('main.js') || file.endsWith('main.cjs')) assert.equal(source.statements.filter(ts.isImportDeclaration).length, 0, 'an entry has no static imports');
    });
  }
});
