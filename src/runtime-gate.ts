/**
 * The runtime gate: is the Node.js running us one teleport-tools supports? The entry points
 * (src/launcher/main.ts, src/cli/main.ts) ask it before they load anything else, because the rest of
 * the code (undici, yargs and their dependencies) fails on older runtimes with errors that point the
 * wrong way (`File is not defined`, `Invalid regular expression flags`).
 *
 * This module and the entries run on ANY Node.js from 12 on: no imports, no syntax newer than ES2019
 * (scripts/postbuild.mjs compiles these files for ES2019; the launchers' bundled gate, main.cjs, also
 * requires `url` and `path` to know where this code came from), and nothing but `fs` loaded at run time.
 * The floor is package.json's `engines.node` and the package's version its `version`, read at run time,
 * so there is one place that says each.
 */

/** The fix, said the same way by the gate, the launchers' fallback and the doctor. */
export const NODE_FIX = 'install a newer one (nvm: `nvm install --lts`; Debian/Ubuntu: NodeSource packages; macOS: `brew install node`) or put one first on PATH: PATH=/path/to/newer/node/bin:$PATH';

export interface PackageFacts {
  /** package.json `version`. */
  version: string;
  /** The floor as package.json writes it (`20.19`), for messages. */
  floor: string;
}

/** `>=20.19` (the only form `engines.node` uses) to `20.19`; undefined for anything else. */
export function parseEngines(range: unknown): string | undefined {
  if (typeof range !== 'string') return undefined;
  const m = /^\s*>=\s*v?(\d+(?:\.\d+){0,2})\s*$/.exec(range);
  return m ? m[1] : undefined;
}

/** `18.20.4` to [18, 20, 4]; pre-release and build suffixes (nightlies) are ignored; undefined when not a version. */
export function parseNodeVersion(value: unknown): number[] | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^v?(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:[-+][0-9A-Za-z.+-]*)?$/.exec(value);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function below(version: number[], floor: string): boolean {
  const f = floor.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const a = version[i] || 0;
    const b = f[i] || 0;
    if (a !== b) return a < b;
  }
  return false;
}

const shown = (value: unknown): string => JSON.stringify(String(value).slice(0, 40));

/**
 * The gate itself, a pure function: undefined when `version` (process.versions.node) is at or above
 * `floor`, else what is wrong, said for people (the doctor shows it as is; the entries add NODE_FIX).
 */
export function runtimeProblem(version: unknown, execPath: string, floor: string): string | undefined {
  const parsed = parseNodeVersion(version);
  const needs = `teleport-tools needs Node.js ${floor} or later to install or update`;
  if (!parsed) return `${execPath} reports Node.js version ${shown(version)}, which is not a Node.js release: ${needs}`;
  if (below(parsed, floor)) return `Node.js ${parsed.join('.')} (${execPath}) is too old: ${needs}`;
  return undefined;
}

/** The gate's one line (without the newline). */
export function refusalLine(problem: string): string {
  return `teleport-tools: ${problem}; ${NODE_FIX}`;
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  engines?: { node?: unknown };
}

/**
 * The nearest package.json above `from` that is teleport-tools' own: the one place the package's
 * version and floor are written. Found by walking up, because this code runs from dist/src/ and, in
 * the launchers' bundle, from dist/src/launcher/.
 */
function findPackage(read: (file: URL) => string, from: string): PackageJson {
  for (let dir = new URL('./', from); ; dir = new URL('../', dir)) {
    let pkg: PackageJson | undefined;
    try {
      pkg = JSON.parse(read(new URL('package.json', dir))) as PackageJson;
    } catch {
      pkg = undefined;
    }
    if (pkg && pkg.name === 'teleport-tools') return pkg;
    if (dir.pathname === '/') throw new Error(`no package.json of teleport-tools above ${from}`);
  }
}

/** package.json's version and floor. */
export function readPackage(): Promise<PackageFacts> {
  return import('fs').then((fs) => {
    const pkg = findPackage((file) => fs.readFileSync(file, 'utf8'), import.meta.url);
    const floor = parseEngines(pkg.engines && pkg.engines.node);
    if (typeof pkg.version !== 'string' || !floor) throw new Error('package.json has no version or no engines.node of the form >=X.Y');
    return { version: pkg.version, floor };
  });
}

/** The check the entries run: what is wrong with this process's runtime, or undefined to go on. */
export function thisRuntimeProblem(pkg: PackageFacts): string | undefined {
  return runtimeProblem(process.versions && process.versions.node, process.execPath, pkg.floor);
}

/**
 * The launchers' exit statuses towards shims/tsh and shims/tctl (documented there too). Besides 0 (the
 * binary to exec is on stdout) they are the only statuses the shims take as the Node.js side's own
 * answer: any other status means Node.js failed before it could decide (not Node.js at all, a crash,
 * an option it refuses, NODE_OPTIONS, a bug), and the shims then run what is installed themselves.
 */
export const LAUNCHER_EXIT = {
  /** Bad invocation (not started by a shim). */
  usage: 2,
  /** Nothing can run; the reason is on stderr. The shims exit 1. */
  nothingToRun: 69,
  /** This runtime is below the floor; the gate said so on stderr. The shims run what is installed. */
  runtimeUnfit: 78,
  /** Ctrl-C with nothing installed. */
  cancelled: 130,
} as const;
