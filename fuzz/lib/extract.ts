/**
 * Fuzzed archive bytes through the real extractor into an empty staging directory, with the install's
 * own layout (tar: gzip'd here, then extractEntries; Windows zip: saveZip, then extractZip as the
 * download does once the digest matched), and what must hold once its promise settles:
 * - a refusal is a one-line EARCHIVE; an acceptance has every binary as a regular 0755 file (or, from
 *   an app bundle, a link to the bundle's regular executable) whose SHA-256 is the one reported;
 * - nothing exists beside staging (the case directory holds staging alone) and no link in staging
 *   resolves outside it;
 * - the settled result is final: staging does not change afterwards (no write still under way);
 * - it settles within the per-input time limit.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, realpathSync, lstatSync } from 'node:fs';
import { join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { archiveLayout, extractEntries, extractZip, saveZip } from '../adapters/archive.js';
import type { ExtractSpec, Extracted } from '../adapters/archive.js';
import { check, expectRefusal } from './check.js';
import { freshDir } from './scratch.js';
import { listing } from './tree.js';

/** A hang is a finding: no archive of a few kilobytes takes this long. */
export const TIME_LIMIT_MS = 5000;

// The extractor loads node-tar on first use; under the fuzzer's instrumentation that load alone can
// take seconds on a busy machine, so it happens here, before the first input's time limit runs.
await import('tar');
const LIMITS = { maxEntryBytes: 1024 * 1024, maxTotalBytes: 4 * 1024 * 1024, maxBundleEntries: 64 };
const BINARIES = ['tsh', 'tctl'];

export type ArchiveOs = 'linux' | 'darwin' | 'windows';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

function checkAccepted(staging: string, got: Extracted, names: readonly string[]): void {
  const root = realpathSync(staging);
  for (const [rel, digest] of Object.entries(got.files)) {
    const s = lstatSync(join(staging, rel));
    check(s.isFile(), `${rel} is reported written but is not a regular file`);
    check(sha256(join(staging, rel)) === digest, `${rel} does not have the SHA-256 reported`);
  }
  for (const name of names) {
    const path = join(staging, name);
    const s = lstatSync(path);
    const exe = got.bundles[name];
    if (exe !== undefined) {
      check(s.isSymbolicLink(), `${name} comes from a bundle but is not a link`);
      const real = realpathSync(path);
      check(within(root, real) && lstatSync(real).isFile(), `${name} does not lead to a regular file in staging`);
      check(got.files[exe] === sha256(real), `${name}'s executable is not the file reported`);
    } else {
      check(s.isFile() && (s.mode & 0o777) === 0o755, `${name} is not a regular 0755 file`);
      check(got.files[name] === sha256(path), `${name} is not the file reported`);
    }
  }
}

function checkContained(caseDir: string, staging: string): void {
  check(readdirSync(caseDir).join() === 'staging', `written beside staging: ${readdirSync(caseDir).join(', ')}`);
  const root = realpathSync(staging);
  for (const line of listing(staging)) {
    if (!line.includes(' link ')) continue;
    const rel = line.slice(0, line.indexOf(' link '));
    let real: string;
    try {
      real = realpathSync(join(staging, rel));
    } catch {
      continue; // dangling or looping: it leads nowhere, outside included
    }
    check(within(root, real), `${rel} resolves outside staging`);
  }
}

function timeLimit(): { promise: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`extraction did not settle within ${TIME_LIMIT_MS} ms`)), TIME_LIMIT_MS);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

function extract(data: Buffer, staging: string, spec: ExtractSpec): Promise<Extracted> {
  if (spec.format !== 'zip') return extractEntries(Readable.from([gzipSync(data, { level: 1 })]), staging, spec);
  return saveZip(Readable.from([data]), staging, spec).then(() => extractZip(staging, spec));
}

/** Runs one archive through the extractor for `os`'s layout and checks the above. */
export async function extractAndCheck(data: Buffer, os: ArchiveOs, name: string): Promise<void> {
  const caseDir = freshDir(name);
  const staging = join(caseDir, 'staging');
  mkdirSync(staging);
  const layout = archiveLayout({ version: '17.0.1', edition: 'oss', platform: { os, arch: os === 'windows' ? 'amd64' : 'arm64' } }, BINARIES);
  const names = layout.format === 'zip' ? Object.values(layout.entries) : BINARIES;
  const limit = timeLimit();
  let got: Extracted | undefined;
  try {
    got = await Promise.race([extract(data, staging, { ...layout, ...LIMITS }), limit.promise]);
  } catch (err) {
    expectRefusal(err, ['EARCHIVE']);
  } finally {
    limit.clear();
  }
  const settled = listing(staging);
  if (got) {
    checkAccepted(staging, got, names);
    // A zip is saved to staging first: once extracted, staging holds the binaries alone.
    if (layout.format === 'zip') check(readdirSync(staging).sort().join() === [...names].sort().join(), `staging holds ${readdirSync(staging).join(', ')}`);
  }
  checkContained(caseDir, staging);
  // Anything still being written would show up after a few turns of the event loop.
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  const later = listing(staging);
  check(later.join('\n') === settled.join('\n'), `staging changed after the extraction settled:\n${settled.join('\n')}\n---\n${later.join('\n')}`);
}
