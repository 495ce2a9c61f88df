#!/usr/bin/env node
// The npm bin entries of tsh and tctl (bin/tsh.cjs, bin/tctl.cjs) are JavaScript, so that npm writes
// Windows command shims for them; on Linux and macOS they must become the sh launchers (shims/), whose
// fast path starts no Node.js. This file swaps them:
//   - as the postinstall script (`node bin/swap.cjs --postinstall`), when npm runs install scripts;
//   - on the first run of either entry otherwise (--ignore-scripts, pnpm, an npm that blocks scripts);
//   - by hand, `node <package>/bin/swap.cjs` as the package's owner, where `teleport-tools doctor`
//     finds a package directory the user cannot write.
// A copy of the launcher is renamed over the entry, never written into it: pnpm hard-links package files
// from its store, and a write in place would change every project's copy. Until the swap has happened
// each call costs one Node.js start before the sh launcher runs. Windows keeps the JavaScript entries,
// which run the Windows launcher (docs/behaviour.md items 20 and 23).
// Plain ES2019 and CommonJS: this may run on a Node.js older than the floor, which the sh launcher reports.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const TOOLS = ['tsh', 'tctl'];
const pkgDir = path.join(__dirname, '..');
const entryOf = (tool) => path.join(__dirname, `${tool}.cjs`);
const shimOf = (tool) => path.join(pkgDir, 'shims', tool);

/** Only an installed package swaps: in a source checkout the entries are tracked files. */
const installed = () => pkgDir.split(path.sep).includes('node_modules');

/** Is the entry already the sh launcher? */
function swapped(tool) {
  try {
    const fd = fs.openSync(entryOf(tool), 'r');
    const head = Buffer.alloc(9);
    fs.readSync(fd, head, 0, 9, 0);
    fs.closeSync(fd);
    return head.toString('latin1') === '#!/bin/sh';
  } catch {
    return false;
  }
}

/** Renames a fresh copy of shims/<tool> over bin/<tool>.cjs; returns '' or the error code that stopped it. */
function swap(tool) {
  if (swapped(tool)) return '';
  const temp = path.join(__dirname, `.${tool}-${process.pid}.tmp`);
  try {
    fs.copyFileSync(shimOf(tool), temp, fs.constants.COPYFILE_EXCL);
    fs.chmodSync(temp, 0o755);
    fs.renameSync(temp, entryOf(tool));
    return '';
  } catch (err) {
    try {
      fs.unlinkSync(temp);
    } catch {
      // nothing was created
    }
    return err.code || String(err);
  }
}

/** Both entries; the reasons it could not, by tool. */
function swapAll() {
  const failures = {};
  for (const tool of TOOLS) {
    const code = swap(tool);
    if (code) failures[tool] = code;
  }
  return failures;
}

/** Runs `file` with the arguments, leaving the terminal's signals to it, and ends as it ended. */
function runAndExit(file, args) {
  for (const sig of ['SIGINT', 'SIGQUIT']) process.on(sig, () => {});
  const child = spawn(file, args, { stdio: 'inherit' });
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => {
    process.stderr.write(`teleport-tools: cannot run ${file}: ${err.message}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code === null ? 1 : code);
  });
}

/** Windows has no sh launcher to fall back on: below the floor (package.json's engines), one line and exit 1. */
function runtimeTooOld() {
  const floor = String(require('../package.json').engines.node).replace(/^>=/, '');
  const want = floor.split('.').map(Number);
  const have = process.versions.node.split('.').map(Number);
  for (let i = 0; i < want.length; i++) {
    if ((have[i] || 0) !== want[i]) {
      if ((have[i] || 0) > want[i]) return '';
      return `teleport-tools: Node.js ${process.versions.node} (${process.execPath}) is too old: teleport-tools needs Node.js ${floor} or later; install a newer one (https://nodejs.org, winget install OpenJS.NodeJS.LTS) and put it first on PATH`;
    }
  }
  return '';
}

/** What bin/<tool>.cjs runs. */
function launch(tool, self) {
  if (process.platform === 'win32') {
    const old = runtimeTooOld();
    if (old) {
      process.stderr.write(`${old}\n`);
      process.exit(1);
    }
    require('../dist/src/launcher/windows.cjs').launch(tool, process.argv.slice(2), self);
    return;
  }
  const args = process.argv.slice(2);
  // The path the user ran (npm's bin link) runs the swapped launcher, so it sees itself as that path.
  if (installed() && Object.keys(swapAll()).length === 0) return runAndExit(process.argv[1] || self, args);
  runAndExit('/bin/sh', [shimOf(tool), ...args]);
}

module.exports = { launch, runtimeTooOld, swapAll, swapped, TOOLS };

if (require.main === module) {
  const postinstall = process.argv.includes('--postinstall');
  if (process.platform === 'win32' || !installed()) process.exit(0);
  const failures = swapAll();
  const failed = Object.keys(failures);
  if (failed.length === 0) {
    if (!postinstall) console.log(`teleport-tools: ${TOOLS.join(' and ')} now start without Node.js`);
  } else {
    // An install must never fail for this: the entries still work, one Node.js start slower.
    const why = failed.map((t) => `${entryOf(t)}: ${failures[t]}`).join('; ');
    console.error(`teleport-tools: could not put the sh launchers in place (${why}); ${failed.join(' and ')} will start Node.js first on every call`);
  }
  process.exit(postinstall ? 0 : failed.length === 0 ? 0 : 1);
}
