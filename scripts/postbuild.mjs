// After tsc: compile the runtime-gate files again for ES2019, so Node.js 12 and later can parse them
// and tell the user their Node.js is too old instead of failing with a SyntaxError (tsc's target for
// everything else is ES2022); then make the CLI entry executable (npm links it as `teleport-tools`).
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';

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
chmodSync(new URL('dist/src/cli/main.js', root), 0o755);
