#!/usr/bin/env node
/**
 * The `teleport-tools` command. This file is the runtime gate and must run on any Node.js from 12 on
 * (no static imports, no top-level await, ES2019; see runtime-gate.ts): on a supported runtime it loads
 * run.js (yargs and the commands); below the floor, old-runtime.js answers what it can.
 */
import('../runtime-gate.js')
  .then((gate) =>
    gate.readPackage().then((pkg) => {
      const problem = gate.thisRuntimeProblem(pkg);
      if (problem === undefined) return import('./run.js').then(() => undefined);
      return import('./old-runtime.js').then((old) => {
        process.exitCode = old.answerOnOldRuntime(process.argv.slice(2), problem, pkg, {
          out: (t) => process.stdout.write(t),
          err: (t) => process.stderr.write(t),
        });
      });
    }),
  )
  .catch((err: unknown) => {
    process.stderr.write(`teleport-tools: unexpected error (please report it):\n${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
