/**
 * Makes Jazzer.js's libFuzzer addon loadable here, and says what it did. @jazzer.js/fuzzer 4.0.0 ships
 * a prebuilt addon linked against glibc 2.38 and GCC 13's libstdc++; on an older system (Debian 12)
 * the loader refuses it for three symbols. Then: a small compatibility library defining them is built
 * with the system's g++ (once, into node_modules/.cache), the addon's needs for those two symbol
 * versions are marked weak in place, and fuzzing processes run with the library preloaded. Where the
 * addon loads as shipped, nothing is changed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeWeak, versionNeeds } from './elf-versions.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CACHE = join(ROOT, 'node_modules', '.cache', 'teleport-tools-fuzz');
const SOURCES = join(ROOT, 'fuzz', 'setup');
/** The versions compat.cc provides symbols for. */
const PROVIDED = ['GLIBC_2.38', 'GLIBCXX_3.4.32'];

export interface JazzerSetup {
  /** Added to the environment of every fuzzing process. */
  env: Record<string, string>;
  /** What was done, one line each. */
  notes: string[];
}

function addonPath(): string {
  const pkg = createRequire(import.meta.url).resolve('@jazzer.js/fuzzer/package.json');
  return join(dirname(pkg), 'prebuilds', `fuzzer-${process.platform}-${process.arch}.node`);
}

/**
 * Loads the addon in a child process: undefined when it loads, else the loader's complaint. Every
 * symbol is bound at load (LD_BIND_NOW): an addon whose needs were made weak would otherwise load
 * and fail only once libFuzzer calls a missing function.
 */
function loadError(env: Record<string, string>): string | undefined {
  const r = spawnSync(process.execPath, ['-e', 'require("@jazzer.js/fuzzer")'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LD_BIND_NOW: '1' },
    encoding: 'utf8',
  });
  if (r.status === 0) return undefined;
  return (r.stderr.split('\n').find((l) => /^Error:/.test(l)) ?? r.stderr.trim()).slice(0, 300);
}

function buildCompat(notes: string[]): string {
  const lib = join(CACHE, 'libjazzer-compat.so');
  const inputs = ['compat.cc', 'compat.map'].map((f) => join(SOURCES, f));
  if (existsSync(lib) && inputs.every((f) => statSync(f).mtimeMs <= statSync(lib).mtimeMs)) {
    notes.push(`compatibility library already built: ${lib}`);
    return lib;
  }
  mkdirSync(CACHE, { recursive: true });
  // Built beside it and renamed into place, as the addon is below.
  const temp = `${lib}.${process.pid}.tmp`;
  const args = ['-shared', '-fPIC', '-O2', '-o', temp, inputs[0] as string, `-Wl,--version-script=${inputs[1] as string}`];
  const r = spawnSync('g++', args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error(`building the Jazzer.js compatibility library needs g++ (apt-get install g++): ${r.error?.message ?? r.stderr.trim()}`);
  }
  renameSync(temp, lib);
  notes.push(`built the compatibility library (__isoc23_strtol, __isoc23_strtoul, std::ios_base_library_init) with g++: ${lib}`);
  return lib;
}

export function prepareJazzer(): JazzerSetup {
  const notes: string[] = [];
  const first = loadError({});
  if (first === undefined) return { env: {}, notes: ['Jazzer.js addon loads as shipped'] };
  const addon = addonPath();
  const elf = readFileSync(addon);
  const needed = versionNeeds(elf).filter((n) => PROVIDED.includes(n.version));
  if (process.platform !== 'linux' || needed.length === 0) throw new Error(`the Jazzer.js addon does not load, and not for the known reason: ${first}`);
  notes.push(`Jazzer.js addon does not load here (${first.replace(/^Error: \S+: /, '').replace(/ \(required by .*$/, '')})`);
  const lib = buildCompat(notes);
  const changed = makeWeak(elf, PROVIDED);
  if (changed.length > 0) {
    // Renamed into place, never rewritten where it lies: a second `npm run fuzz` starting at the same
    // moment loads either the old file or the new one, not half of one.
    const temp = `${addon}.${process.pid}.tmp`;
    writeFileSync(temp, elf);
    renameSync(temp, addon);
    notes.push(`made the addon's needs ${changed.map((n) => `${n.version} (${n.file})`).join(', ')} weak: ${addon}`);
  } else {
    notes.push(`the addon's needs ${PROVIDED.join(', ')} are already weak`);
  }
  const env = { LD_PRELOAD: [lib, process.env.LD_PRELOAD].filter(Boolean).join(':') };
  const after = loadError(env);
  if (after !== undefined) throw new Error(`the Jazzer.js addon still does not load with ${lib} preloaded: ${after}`);
  notes.push('fuzzing processes run with LD_PRELOAD set to the compatibility library');
  return { env, notes };
}
