// After tsc: compile the runtime-gate files again for ES2019, so Node.js 12 and later can parse them
// and tell the user their Node.js is too old instead of failing with a SyntaxError (tsc's target for
// everything else is ES2022); bundle the launchers' Node.js side; then make the CLI entry
// executable (npm links it as `teleport-tools`).
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { build } from 'esbuild';

/** The files that run before the runtime is checked (src/runtime-gate.ts explains the rules). */
export const GATE_FILES = ['src/runtime-gate.ts', 'src/launcher/main.ts', 'src/cli/main.ts', 'src/cli/old-runtime.ts'];

const root = new URL('../', import.meta.url);
for (const file of GATE_FILES) {
  const source = readFileSync(new URL(file, root), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { target: ts.ScriptTarget.ES2019, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true, newLine: ts.NewLineKind.LineFeed },
  });
  writeFileSync(new URL(`dist/${file.replace(/\.ts$/, '.js')}`, root), outputText);
}

// The launchers' Node.js side (`tsh login` above all) as three CommonJS files instead of ~40 ES modules:
// dist/src/launcher/main.cjs (the gate, still ES2019), which the shims start, run.cjs (the loader) and
// slow-path.cjs (the work). Node.js resolves, reads, compiles and links each ES module on its own, and its ES module
// loader costs more to start than require() (docs/architecture.md, performance rules).
// The bundle sits beside slow-path.js, so its neighbours (../tools/install-child.js, ../cmc/watchdog.js) are
// where import.meta.url expects them. Modules it imports lazily stay lazy (esbuild runs their
// top-level code on first import). npm packages stay outside, required from node_modules when first
// needed. The ES module build (slow-path.js, run.js, main.js) stays for anything that imports it.
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const external = Object.keys(pkg.dependencies);
const common = {
  absWorkingDir: new URL('.', root).pathname,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
};
const withImportMeta = (url) => ({
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: `"use strict";\nvar __import_meta_url = require("url").pathToFileURL(${url}).href;` },
});

const run = 'dist/src/launcher/slow-path.cjs';
const entry = 'dist/src/launcher/slow-path.js';
// `dynamic-import: false` turns import() into require(): an import() would start Node's ES module loader
// (node:https on every login), and npm packages would go through its CommonJS translator.
const { metafile } = await build({
  ...common,
  entryPoints: [entry],
  outfile: run,
  target: `node${pkg.engines.node.replace(/^>=/, '')}`,
  supported: { 'dynamic-import': false },
  external,
  metafile: true,
  ...withImportMeta('__filename'),
});
// run.cjs, what the gate requires, is small: it runs slow-path.cjs through V8's code cache
// (src/launcher/compile-cache.ts), so that the big bundle is not compiled again on every run.
await build({
  ...common,
  entryPoints: ['dist/src/launcher/run.js'],
  outfile: 'dist/src/launcher/run.cjs',
  target: `node${pkg.engines.node.replace(/^>=/, '')}`,
  external,
  ...withImportMeta('__filename'),
});
// The Windows launcher (bin/tsh.cjs and bin/tctl.cjs require it on Windows), bundled the same way.
const windows = await build({
  ...common,
  entryPoints: ['dist/src/launcher/windows.js'],
  outfile: 'dist/src/launcher/windows.cjs',
  target: `node${pkg.engines.node.replace(/^>=/, '')}`,
  supported: { 'dynamic-import': false },
  external,
  metafile: true,
  ...withImportMeta('__filename'),
});
// An npm package imported statically by a module the entry imports statically would be required on
// every slow-path run: only builtins may be. (Modules reached through import() are wrapped by esbuild
// and run, with their imports, on first use.)
const eager = new Set();
const seen = new Set([entry, 'dist/src/launcher/windows.js']);
const inputs = { ...metafile.inputs, ...windows.metafile.inputs };
for (const file of seen) {
  for (const imp of inputs[file]?.imports ?? []) {
    if (imp.kind !== 'import-statement') continue;
    if (!imp.external) seen.add(imp.path);
    else if (!imp.path.startsWith('node:')) eager.add(imp.path);
  }
}
if (eager.size > 0) throw new Error(`${run} or windows.cjs would load ${[...eager].join(', ')} on every run: import them lazily (await import()) where they are used`);

// The gate with runtime-gate.ts inlined; ES2019 turns its import('./run.js') into require('./run.cjs').
// Its package.json lookup is relative to dist/src/runtime-gate.js, where that code was compiled.
await build({
  ...common,
  entryPoints: ['dist/src/launcher/main.js'],
  outfile: 'dist/src/launcher/main.cjs',
  target: 'es2019',
  supported: { 'dynamic-import': false },
  plugins: [{ name: 'run-cjs', setup: (b) => b.onResolve({ filter: /^\.\/run\.js$/ }, () => ({ path: './run.cjs', external: true })) }],
  ...withImportMeta('require("path").join(__dirname, "..", "runtime-gate.js")'),
});
chmodSync(new URL('dist/src/cli/main.js', root), 0o755);
