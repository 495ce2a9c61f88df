/**
 * The launchers' slow-path entry, started by shims/tsh and shims/tctl as its bundle (scripts/postbuild.mjs):
 *   node main.cjs <tool> <launcher path> [args...]
 * It is the runtime gate and must run on any Node.js from 12 on (no static imports, no top-level
 * await, ES2019; see runtime-gate.ts): on a supported runtime it loads run.js (the bundle: run.cjs),
 * which does the work; below the floor it prints the gate's one line and exits
 * LAUNCHER_EXIT.runtimeUnfit, and the shim runs the installed version itself, so an old Node.js never
 * stops a working tsh.
 */
import('../runtime-gate.js')
  .then((gate) =>
    gate.readPackage().then((pkg) => {
      const problem = gate.thisRuntimeProblem(pkg);
      if (problem === undefined) return import('./run.js').then(() => undefined);
      process.stderr.write(`${gate.refusalLine(problem)}\n`);
      process.exitCode = gate.LAUNCHER_EXIT.runtimeUnfit;
      return undefined;
    }),
  )
  .catch((err: unknown) => {
    // Not even the gate could run (a damaged package): say so; the shim then runs what is installed.
    process.stderr.write(`teleport-tools: cannot start the launcher's Node.js side: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
