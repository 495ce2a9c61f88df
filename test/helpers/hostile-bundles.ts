// Broken and malicious macOS app bundles (docs/behaviour.md item 6a), each a variation of a Teleport 17+
// darwin archive, with the one line a careful installer refuses it with (or `accept`).
import { fakeProgram } from './fake-programs.js';
import { ESCAPE_PATHS } from './hostile-archives.js';
import { releaseEntries, topFolder } from './release-layout.js';
import type { TarEntry } from './tar-writer.js';

export const BUNDLE_VERSION = '17.0.1';

export interface HostileBundle {
  why: string;
  /** The refusal message, or `accept` when the archive installs (possibly normalised). */
  expect: string | 'accept';
  entries(): TarEntry[];
}

const top = topFolder('oss');
const base = (): TarEntry[] => releaseEntries({ version: BUNDLE_VERSION, os: 'darwin', arch: 'arm64' });
const p = (rel: string): string => `${top}/${rel}`;

/** The base entries with `rel` replaced by `replacement` (left out when empty). */
function swap(rel: string, ...replacement: TarEntry[]): TarEntry[] {
  const entries = base();
  const at = entries.findIndex((e) => e.path === p(rel));
  if (at === -1) throw new Error(`no ${rel} in the darwin layout`);
  return [...entries.slice(0, at), ...replacement, ...entries.slice(at + 1)];
}

/** The base entries with `extra` right after tsh.app's executable. */
function withExtra(...extra: TarEntry[]): TarEntry[] {
  const entries = base();
  const at = entries.findIndex((e) => e.path === p('tsh.app/Contents/MacOS/tsh')) + 1;
  return [...entries.slice(0, at), ...extra, ...entries.slice(at)];
}

const res = (name: string): string => p(`tsh.app/Contents/Resources/${name}`);

export const HOSTILE_BUNDLES = {
  'link-out-absolute': {
    why: 'a link inside the bundle to /etc/passwd',
    expect: `refusing archive: the symbolic link ${res('passwd')} -> /etc/passwd leaves the bundle`,
    entries: () => withExtra({ path: res('passwd'), type: 'symlink', linkpath: '/etc/passwd' }),
  },
  'link-out-dotdot': {
    why: 'a link climbing out of the bundle with ../',
    expect: `refusing archive: the symbolic link ${res('up')} -> ../../../tctl.app leaves the bundle`,
    entries: () => withExtra({ path: res('up'), type: 'symlink', linkpath: '../../../tctl.app' }),
  },
  'link-chain-out': {
    why: 'a link that looks inside on paper but leaves through another link (here -> .)',
    expect: `refusing archive: the symbolic link ${res('out')} -> here/../../../tctl.app leaves the bundle`,
    entries: () => withExtra(
      { path: res('here'), type: 'symlink', linkpath: '.' },
      { path: res('out'), type: 'symlink', linkpath: 'here/../../../tctl.app' },
    ),
  },
  'entry-through-link': {
    why: 'a file written through a link inside the bundle',
    expect: `refusing archive: entry "${res('dir/evil')}" goes through the symbolic link ${res('dir')}`,
    entries: () => withExtra(
      { path: res('dir'), type: 'symlink', linkpath: '..' },
      { path: res('dir/evil'), content: 'evil\n' },
    ),
  },
  dotdot: {
    why: 'a bundle entry with .. in its path',
    expect: `refusing archive: entry "${p(`tsh.app/Contents/../../../${ESCAPE_PATHS.dotdotName}`)}" contains ".."`,
    entries: () => withExtra({ path: p(`tsh.app/Contents/../../../${ESCAPE_PATHS.dotdotName}`), content: 'escaped\n' }),
  },
  absolute: {
    why: 'an absolute path among the bundle entries',
    expect: `refusing archive: entry "${ESCAPE_PATHS.absolute}" has an absolute path`,
    entries: () => withExtra({ path: ESCAPE_PATHS.absolute, content: 'escaped\n' }),
  },
  hardlink: {
    why: 'a hard link inside the bundle',
    expect: `refusing archive: ${res('copy')} is a Link -> ${p('tsh.app/Contents/MacOS/tsh')}; a bundle may hold only files, directories and links inside itself`,
    entries: () => withExtra({ path: res('copy'), type: 'hardlink', linkpath: p('tsh.app/Contents/MacOS/tsh') }),
  },
  chardev: {
    why: 'a character device inside the bundle',
    expect: `refusing archive: ${res('null')} is a CharacterDevice; a bundle may hold only files, directories and links inside itself`,
    entries: () => withExtra({ path: res('null'), type: 'chardev', devmajor: 1, devminor: 3, mode: 0o666 }),
  },
  fifo: {
    why: 'a FIFO inside the bundle',
    expect: `refusing archive: ${res('pipe')} is a FIFO; a bundle may hold only files, directories and links inside itself`,
    entries: () => withExtra({ path: res('pipe'), type: 'fifo' }),
  },
  'missing-executable': {
    why: 'tsh.app without Contents/MacOS/tsh',
    expect: `refusing archive: ${p('tsh.app')} has no Contents/MacOS/tsh`,
    entries: () => swap('tsh.app/Contents/MacOS/tsh'),
  },
  'executable-dir': {
    why: 'Contents/MacOS/tsh is a directory',
    expect: `refusing archive: ${p('tsh.app/Contents/MacOS/tsh')} is a directory, not a regular file`,
    entries: () => swap('tsh.app/Contents/MacOS/tsh',
      { path: p('tsh.app/Contents/MacOS/tsh/'), type: 'dir' },
      { path: p('tsh.app/Contents/MacOS/tsh/tsh'), mode: 0o755, content: '#!/bin/sh\necho nested\n' }),
  },
  'executable-link-out': {
    why: 'Contents/MacOS/tsh is a link to /bin/sh',
    expect: `refusing archive: the symbolic link ${p('tsh.app/Contents/MacOS/tsh')} -> /bin/sh leaves the bundle`,
    entries: () => swap('tsh.app/Contents/MacOS/tsh', { path: p('tsh.app/Contents/MacOS/tsh'), type: 'symlink', linkpath: '/bin/sh' }),
  },
  'executable-link-inside': {
    why: 'Contents/MacOS/tsh is a link to another file of the bundle',
    expect: `refusing archive: ${p('tsh.app/Contents/MacOS/tsh')} is a symbolic link, not a regular file`,
    entries: () => swap('tsh.app/Contents/MacOS/tsh', { path: p('tsh.app/Contents/MacOS/tsh'), type: 'symlink', linkpath: '../Info.plist' }),
  },
  'executable-not-executable': {
    why: 'Contents/MacOS/tsh is not marked executable',
    expect: `refusing archive: ${p('tsh.app/Contents/MacOS/tsh')} is not marked executable`,
    entries: () => base().map((e) => (e.path === p('tsh.app/Contents/MacOS/tsh') ? { ...e, mode: 0o644 } : e)),
  },
  duplicate: {
    why: 'two Contents/MacOS/tsh entries; the second (version 0.0.1) would win in plain tar',
    expect: `refusing archive: ${p('tsh.app/Contents/MacOS/tsh')} appears more than once`,
    entries: () => withExtra({ path: p('tsh.app/Contents/MacOS/tsh'), mode: 0o755, content: fakeProgram('tsh', { version: '0.0.1' }) }),
  },
  'bundle-is-file': {
    why: 'tsh.app is a regular file',
    expect: `refusing archive: ${p('tsh.app')} is a File, not a directory`,
    entries: () => [...base().filter((e) => !e.path.startsWith(p('tsh.app'))), { path: p('tsh.app'), content: 'not a bundle\n' }],
  },
  'many-files': {
    why: 'ten thousand tiny files in the bundle',
    expect: `refusing archive: ${p('tsh.app')} has more than 1000 entries`,
    entries: () => withExtra(...Array.from({ length: 10_000 }, (_, i): TarEntry => ({ path: res(`f${i}`), content: 'x' }))),
  },
  'huge-plist': {
    why: 'an Info.plist whose header declares 2 GiB',
    expect: `refusing archive: entry "${p('tsh.app/Contents/Info.plist')}" is 2147483648 bytes, over the 1 GiB limit`,
    entries: () => swap('tsh.app/Contents/Info.plist', { path: p('tsh.app/Contents/Info.plist'), content: '<plist/>\n', declaredSize: 2 * 2 ** 30 }),
  },
  'modes-0777': {
    why: 'directories 0777, a setuid executable, a world-writable plist: modes are normalised',
    expect: 'accept',
    entries: () => base().map((e) => {
      if (!e.path.startsWith(p('tsh.app'))) return e;
      if (e.type === 'dir') return { ...e, mode: 0o777 };
      if (e.path.endsWith('/MacOS/tsh')) return { ...e, mode: 0o4777, uid: 4242 };
      return e.type === 'symlink' ? e : { ...e, mode: 0o666 };
    }),
  },
  'bare-and-bundle': {
    why: 'both a bare teleport/tsh (v0.0.1) and tsh.app: the bundle wins',
    expect: 'accept',
    entries: () => [...base(), { path: p('tsh'), mode: 0o755, content: fakeProgram('tsh', { version: '0.0.1' }) }],
  },
  'bare-link-and-bundle': {
    why: 'a bare teleport/tsh that links into tsh.app, next to the bundle: the bundle wins',
    expect: 'accept',
    entries: () => [...base(), { path: p('tsh'), type: 'symlink', linkpath: 'tsh.app/Contents/MacOS/tsh' }],
  },
} satisfies Record<string, HostileBundle>;

export type HostileBundleName = keyof typeof HOSTILE_BUNDLES;
