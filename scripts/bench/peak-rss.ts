// Loaded with `--import` into the install child the bench starts, the only thing the bench adds to it:
// at exit, the process's peak RSS (VmHWM from /proc, else maxRSS) as one JSON line on fd 3, the
// bench's measuring pipe. The child itself is the one the launchers start (src/tools/install-child.ts).
import { readFileSync, writeSync } from 'node:fs';

function peakRssBytes(): number {
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // Not Linux: maxRSS below.
  }
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return (hwm ? Number(hwm[1]) : process.resourceUsage().maxRSS) * 1024;
}

process.on('exit', () => {
  try {
    writeSync(3, `${JSON.stringify({ peakRssBytes: peakRssBytes() })}\n`);
  } catch {
    // Started without the pipe: nobody is measuring.
  }
});
