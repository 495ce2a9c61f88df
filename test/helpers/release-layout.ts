// What a Teleport release archive is called and holds (docs/teleport.md, "Release archives"), as data.
import type { FakeProgramOptions, FakeTool } from './fake-programs.js';
import { FAKE_TOOLS, fakeProgram } from './fake-programs.js';
import type { TarEntry } from './tar-writer.js';

export type Edition = 'oss' | 'ent';
export type ReleaseOs = 'linux' | 'darwin';
export type ReleaseArch = 'amd64' | 'arm64' | 'arm' | '386';

export interface ReleaseSpec {
  /** Bare semver, e.g. `13.2.3`. */
  version: string;
  /** Default `oss`. */
  edition?: Edition;
  /** Default: this machine (`currentPlatform()`). */
  os?: ReleaseOs;
  arch?: ReleaseArch;
  fips?: boolean;
}

const OS: Partial<Record<NodeJS.Platform, ReleaseOs>> = { linux: 'linux', darwin: 'darwin' };
const ARCH: Partial<Record<NodeJS.Architecture, ReleaseArch>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

/** Teleport's names for this machine's OS and CPU. */
export function currentPlatform(): { os: ReleaseOs; arch: ReleaseArch } {
  const os = OS[process.platform];
  const arch = ARCH[process.arch];
  if (!os || !arch) throw new Error(`no Teleport release for ${process.platform}/${process.arch}`);
  return { os, arch };
}

/** `teleport[-ent]-v<ver>-<os>-<arch>[-fips]-bin.tar.gz` */
export function archiveName(spec: ReleaseSpec): string {
  const platform = currentPlatform();
  const edition = spec.edition === 'ent' ? '-ent' : '';
  return `teleport${edition}-v${spec.version}-${spec.os ?? platform.os}-${spec.arch ?? platform.arch}${spec.fips ? '-fips' : ''}-bin.tar.gz`;
}

/** The archive's top folder: `teleport` (oss) or `teleport-ent`. */
export function topFolder(edition: Edition = 'oss'): string {
  return edition === 'ent' ? 'teleport-ent' : 'teleport';
}

/** The `.sha256` file's content: a coreutils line. */
export function sha256Line(sha256: string, name: string): string {
  return `${sha256}  ${name}\n`;
}

/** Where each binary's share of `padBytes` goes; roughly the sizes of the real binaries. */
export const PAD_SHARE: Readonly<Record<FakeTool, number>> = {
  teleport: 0.4, tctl: 0.2, tsh: 0.2, tbot: 0.15, 'fdpass-teleport': 0.05,
};

export interface LayoutOptions extends ReleaseSpec {
  /** Overrides for what the fake binaries report (default: the release version). */
  program?: Partial<FakeProgramOptions>;
  /**
   * Per-entry changes, keyed by the path below the top folder (`tsh`, `examples/systemd/README.md`,
   * `examples/`): fields to merge into that entry, or `null` to leave it out.
   */
  overrides?: Readonly<Record<string, Partial<TarEntry> | null>>;
  /** Entries added at the end, paths as written (include the top folder). */
  extraEntries?: readonly TarEntry[];
  /**
   * darwin archives only: tsh and tctl as bare binaries (Teleport 16 and older), as app bundles
   * (17 and later), or both. Default: by the version's major, like Teleport's own releases.
   */
  darwinLayout?: DarwinLayout;
}

export type DarwinLayout = 'bare' | 'bundle' | 'both';

/** The binaries that come as app bundles in darwin archives of Teleport 17 and later. */
export const BUNDLED_TOOLS = ['tsh', 'tctl'] as const;

/** The layout a release uses: bundles only in darwin archives (major 17 and later unless told). */
export function darwinLayoutOf(options: LayoutOptions): DarwinLayout | undefined {
  if ((options.os ?? currentPlatform().os) !== 'darwin') return undefined;
  return options.darwinLayout ?? (Number(options.version.split('.')[0]) >= 17 ? 'bundle' : 'bare');
}

const INFO_PLIST = (tool: string, version: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>CFBundleExecutable</key>
  <string>${tool}</string>
  <key>CFBundleIdentifier</key>
  <string>com.gravitational.teleport.${tool}</string>
  <key>CFBundlePackageType</key>
  <string>APPL</string>
  <key>CFBundleShortVersionString</key>
  <string>${version}</string>
</dict>
</plist>
`;

/**
 * One app bundle's entries below the top folder, as Teleport's darwin archives hold them: Info.plist,
 * the executable, the provisioning profile, the signature, and one link inside the bundle.
 */
export function bundleLayout(tool: FakeTool, options: LayoutOptions, programOptions: FakeProgramOptions): [string, Partial<TarEntry>][] {
  const app = `${tool}.app`;
  return [
    [`${app}/`, { type: 'dir' }],
    [`${app}/Contents/`, { type: 'dir' }],
    [`${app}/Contents/Info.plist`, { content: INFO_PLIST(tool, options.version) }],
    [`${app}/Contents/MacOS/`, { type: 'dir' }],
    [`${app}/Contents/MacOS/${tool}`, { mode: 0o755, content: fakeProgram(tool, programOptions) }],
    [`${app}/Contents/embedded.provisionprofile`, { content: `fake provisioning profile for ${tool} (teleport-tools tests)\n` }],
    [`${app}/Contents/_CodeSignature/`, { type: 'dir' }],
    [`${app}/Contents/_CodeSignature/CodeResources`, { content: `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>files</key><dict/></dict></plist>\n` }],
    [`${app}/Contents/Resources/`, { type: 'dir' }],
    [`${app}/Contents/Resources/Info.plist`, { type: 'symlink', linkpath: '../Info.plist' }],
  ];
}

const INSTALL = `#!/bin/sh
# Installs the Teleport binaries in this folder to /usr/local/bin.
set -eu
cd "$(dirname "$0")"
for bin in teleport tctl tsh tbot fdpass-teleport; do
  install -m 755 "$bin" /usr/local/bin/
done
`;

const SERVICE = `[Unit]
Description=Teleport Service
After=network.target

[Service]
Type=simple
Restart=on-failure
ExecStart=/usr/local/bin/teleport start --config /etc/teleport.yaml --pid-file=/run/teleport.pid
ExecReload=/bin/kill -HUP $MAINPID
PIDFile=/run/teleport.pid
LimitNOFILE=524288

[Install]
WantedBy=multi-user.target
`;

/** Is `name` (below the top folder) one of the binaries? */
export function isBinary(name: string): name is FakeTool {
  return (FAKE_TOOLS as readonly string[]).includes(name);
}

/**
 * The entries of a release archive, in the order Teleport's release tarballs list them: folders, examples,
 * scripts and docs, then the binaries. Everything is owned by root, binaries and `install` are 0755.
 */
export function releaseEntries(options: LayoutOptions): TarEntry[] {
  const top = topFolder(options.edition);
  const programOptions: FakeProgramOptions = { version: options.version, ...options.program };
  const layout: [string, Partial<TarEntry>][] = [
    ['', { type: 'dir' }],
    ['examples/', { type: 'dir' }],
    ['examples/systemd/', { type: 'dir' }],
    ['examples/systemd/README.md', { content: '# Running Teleport with systemd\n\nCopy teleport.service to /etc/systemd/system/.\n' }],
    ['examples/systemd/teleport.service', { content: SERVICE }],
    ['install', { mode: 0o755, content: INSTALL }],
    ['README.md', { content: `# Teleport ${options.edition === 'ent' ? 'Enterprise ' : ''}v${options.version}\n\nRun ./install to install the binaries.\n` }],
    ['CHANGELOG.md', { content: `# Changelog\n\n## ${options.version}\n\n* Fake release for teleport-tools tests.\n` }],
    ['LICENSE-community', { content: 'Teleport Community Edition license (placeholder for tests).\n' }],
    ['VERSION', { content: `v${options.version}\n` }],
    ...FAKE_TOOLS.flatMap((tool): [string, Partial<TarEntry>][] => {
      const bare: [string, Partial<TarEntry>] = [tool, { mode: 0o755, content: fakeProgram(tool, programOptions) }];
      const darwin = darwinLayoutOf(options);
      if (!darwin || !(BUNDLED_TOOLS as readonly string[]).includes(tool)) return [bare];
      const bundle = bundleLayout(tool, options, programOptions);
      return darwin === 'bundle' ? bundle : darwin === 'both' ? [bare, ...bundle] : [bare];
    }),
  ];
  const entries: TarEntry[] = [];
  for (const [name, fields] of layout) {
    const override = options.overrides?.[name];
    if (override === null) continue;
    entries.push({ path: `${top}/${name}`, ...fields, ...override });
  }
  return [...entries, ...(options.extraEntries ?? [])];
}
