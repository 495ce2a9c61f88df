// A Windows world under Wine for the tests and the bench: the packed package installed by Windows npm
// into npm prefixes, a local HTTPS CDN serving Windows release zips of the fake tsh.exe, and users
// (profile directories) to run `cmd /c <prefix>\tsh.cmd …` as.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startCdn } from '../helpers/cdn-server.js';
import type { CdnServer } from '../helpers/cdn-server.js';
import { packRepo } from '../helpers/npm.js';
import { tlsPaths } from '../helpers/tls.js';
import { pseudoRandomChunks } from '../helpers/tar-writer.js';
import { releaseZipEntries, zip } from '../helpers/zip-writer.js';
import type { ZipEntrySpec } from '../helpers/zip-writer.js';
import { cmd, runLine, winPath, writeFakeExe } from './wine.js';
import type { WinResult, WineEnv } from './wine.js';

export interface Home {
  profile: string;
  teleportHome: string;
}

export interface ZipOptions {
  extra?: ZipEntrySpec[];
  /** Incompressible bytes appended to tsh.exe (a PE runs with data after its image). */
  padBytes?: number;
}

export class WinWorld {
  private constructor(readonly w: WineEnv, readonly tmp: string, readonly cdn: CdnServer, readonly tarball: string) {}

  static async create(w: WineEnv, tmp: string, cdnVersion: string): Promise<WinWorld> {
    const { tarball } = await packRepo(tmp);
    return new WinWorld(w, tmp, await startCdn({ version: `v${cdnVersion}` }), tarball);
  }

  /** Serves teleport-v<version>-windows-amd64-bin.zip and its .sha256 (one space, CR LF, as Teleport's). */
  async serveZip(version: string, opts: ZipOptions = {}): Promise<number> {
    const exes: Record<string, Buffer> = {};
    for (const tool of ['tsh', 'tctl']) {
      const file = join(this.tmp, `${tool}-${version}.exe`);
      await writeFakeExe(this.w, tool, version, file);
      const pad = tool === 'tsh' && opts.padBytes ? [...pseudoRandomChunks(opts.padBytes, version)] : [];
      exes[tool] = Buffer.concat([await readFile(file), ...pad]);
    }
    const bytes = zip([...releaseZipEntries(version, (tool) => exes[tool] as Buffer), ...(opts.extra ?? [])]);
    const name = `teleport-v${version}-windows-amd64-bin.zip`;
    this.cdn.serve(`/${name}`, bytes);
    this.cdn.serve(`/${name}.sha256`, `${createHash('sha256').update(bytes).digest('hex')} ${name}\r\n`);
    return bytes.length;
  }

  /** Windows npm (Linux npm's CLI run by node.exe) installs the packed package into `prefix`. */
  async npmInstall(prefix: string, flags: string[] = []): Promise<void> {
    const { w } = this;
    const cache = w.npmCache ? ['--cache', `"${winPath(w.npmCache)}"`] : [];
    const line = [`"${winPath(w.nodeExe)}"`, `"${winPath(w.npmCli)}"`, 'install', '-g', '--prefix', `"${winPath(prefix)}"`, ...cache, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...flags, `"${winPath(this.tarball)}"`].join(' ');
    const r = await runLine(w, line, { path: [dirname(w.nodeExe)] });
    assert.equal(r.code, 0, r.stderr);
    // Wine's cmd cannot follow npm's `goto #_undefined_# 2>NUL ||` (on Windows it ends the batch file so
    // that the last line runs on its own): the shims run without that phrase.
    for (const shim of ['tsh.cmd', 'tctl.cmd', 'teleport-tools.cmd']) {
      const file = join(prefix, shim);
      await writeFile(file, (await readFile(file, 'utf8')).replace('goto #_undefined_# 2>NUL || title %COMSPEC% & ', ''));
    }
  }

  /** A user profile and TELEPORT_HOME inside it (the launcher trusts only a cache under the profile). */
  async makeHome(name: string, teleportDir = '.tsh'): Promise<Home> {
    const profile = join(this.tmp, name);
    await mkdir(profile, { recursive: true });
    return { profile, teleportHome: join(profile, teleportDir) };
  }

  /** Environment of a run as `home`, pointed at the test CDN. */
  envOf(home: Home, env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    return {
      TELEPORT_HOME: winPath(home.teleportHome),
      TELEPORT_TOOLS_VERSION_URL: this.cdn.versionUrl,
      TELEPORT_CDN_BASE_URL: this.cdn.url,
      NODE_EXTRA_CA_CERTS: winPath(tlsPaths.ca),
      CI: '1',
      HTTPS_PROXY: undefined,
      HTTP_PROXY: undefined,
      https_proxy: undefined,
      http_proxy: undefined,
      ...env,
    };
  }

  /** The line's prefix that makes cmd run as `home` (Wine sets USERPROFILE itself, so cmd sets it first). */
  userPrefix(home: Home): string {
    return `set "USERPROFILE=${winPath(home.profile)}"&& `;
  }

  /** `cmd /c <line>` as `home`. */
  cmdAs(home: Home, line: string, env: Record<string, string | undefined> = {}): Promise<WinResult> {
    return cmd(this.w, `${this.userPrefix(home)}${line}`, { path: [dirname(this.w.nodeExe)], env: this.envOf(home, env) });
  }

  /** `cmd /c <file> <args>` as `home`. */
  as(home: Home, file: string, args: string, env: Record<string, string | undefined> = {}): Promise<WinResult> {
    return cmd(this.w, `${this.userPrefix(home)}"${winPath(file)}" ${args}`, { path: [dirname(this.w.nodeExe)], env: this.envOf(home, env) });
  }
}
