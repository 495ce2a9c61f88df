import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReporter, formatBytes, formatDuration, progressLine } from '../../src/ui/reporter.js';

const NAME = 'teleport-v13.3.0-linux-amd64-bin.tar.gz';
// Terminal control: carriage return + "erase line". What remains after the last one is what is on screen.
const CLEAR = '\r\x1b[2K';

function recorder(columns?: number) {
  const writes: string[] = [];
  let t = 1_000_000;
  return {
    writes,
    sink: { write: (s: string) => writes.push(s), columns },
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    text: () => writes.join(''),
  };
}

test('formatBytes uses decimal units, formatDuration m:ss and h:mm:ss', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1000), '1.0 kB');
  assert.equal(formatBytes(123_400_000), '123.4 MB');
  assert.equal(formatBytes(2_500_000_000), '2.5 GB');
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(7.2), '0:08');
  assert.equal(formatDuration(754), '12:34');
  assert.equal(formatDuration(3723), '1:02:03');
  assert.equal(formatDuration(undefined), '--:--');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '--:--');
});

test('progressLine shows percent, bytes, speed and ETA, and never reaches the last column', () => {
  for (const width of [200, 120, 100, 80, 60, 40, 20, 5]) {
    const line = progressLine(NAME, { received: 45_000_000, total: 123_400_000 }, 12_300_000, width);
    assert.ok(line.length <= width - 1, `${width}: ${line}`);
    if (width >= 40) {
      assert.match(line, / 36% /);
      assert.match(line, /45\.0\/123\.4 MB/);
      assert.match(line, /12\.3 MB\/s/);
      assert.match(line, /ETA 0:07/);
    }
  }
  assert.match(progressLine(NAME, { received: 45_000_000, total: 123_400_000 }, 12_300_000, 200), /^Downloading teleport-v13\.3\.0-linux-amd64-bin\.tar\.gz \[=+> +\]/);
  assert.match(progressLine(NAME, { received: 1, total: 1 }, 5, 200), /\[=+\] 100% .* ETA 0:00$/);
  // Unknown speed, unknown size.
  assert.match(progressLine(NAME, { received: 0, total: 1000 }, undefined, 200), / {2}0% .*--\/s {2}ETA --:--$/);
  assert.equal(progressLine('x', { received: 5_000_000, total: undefined }, 1_000_000, 80), 'Downloading x 5.0 MB  1.0 MB/s');
});

test('interactive: draws at once, redraws at most every 100 ms, always draws 100%, ends with one plain line', () => {
  const r = recorder(100);
  const rep = createReporter(r.sink, true, r.now);
  rep.downloadStart(NAME, 10_000_000);
  assert.equal(r.writes.length, 1);
  assert.ok(r.writes[0]?.startsWith(CLEAR));
  assert.match(r.writes[0] ?? '', / {2}0% /);

  r.advance(50);
  rep.downloadProgress({ received: 1_000_000, total: 10_000_000 });
  assert.equal(r.writes.length, 1, 'throttled');
  r.advance(50);
  rep.downloadProgress({ received: 2_000_000, total: 10_000_000 });
  assert.equal(r.writes.length, 2);
  assert.match(r.writes[1] ?? '', / 20% .*2\.0\/10\.0 MB .*20\.0 MB\/s .*ETA 0:01/);
  r.advance(1);
  rep.downloadProgress({ received: 10_000_000, total: 10_000_000 });
  assert.equal(r.writes.length, 3, 'the last chunk is always drawn');
  assert.match(r.writes[2] ?? '', /100% /);

  r.advance(400);
  rep.downloadEnd(true);
  const screen = r.text().split(CLEAR).at(-1);
  assert.equal(screen, `Downloaded ${NAME} (10.0 MB) in 0.5 s\n`);
  assert.ok(!r.text().includes('\n\r'), 'no line break inside the redrawn line');
});

test('interactive: speed follows the recent rate, not the average since the start', () => {
  const r = recorder(200);
  const rep = createReporter(r.sink, true, r.now);
  rep.downloadStart('x', 1_000_000_000);
  // 10 s at 1 MB/s, then 10 s at 10 MB/s.
  let received = 0;
  for (let i = 0; i < 100; i++) {
    r.advance(100);
    received += 100_000;
    rep.downloadProgress({ received, total: 1_000_000_000 });
  }
  for (let i = 0; i < 100; i++) {
    r.advance(100);
    received += 1_000_000;
    rep.downloadProgress({ received, total: 1_000_000_000 });
  }
  const last = r.writes.at(-1) ?? '';
  assert.match(last, / 10\.0 MB\/s /, last);
});

test('interactive: a message during a download goes above the bar, which is drawn again', () => {
  const r = recorder(100);
  const rep = createReporter(r.sink, true, r.now);
  rep.downloadStart('x', 100);
  rep.warn('something happened');
  assert.equal(r.writes[1], `${CLEAR}teleport-tools: warning: something happened\n`);
  assert.equal(r.writes[2], r.writes[0]?.slice(CLEAR.length));
  rep.downloadEnd(false);
  assert.equal(r.text().split(CLEAR).at(-1), 'Download of x stopped after 0.0 s (0 B of 100 B)\n');
  rep.info('after');
  assert.equal(r.writes.at(-1), 'after\n');
});

test('interactive with an unknown terminal width (0) uses 80 columns', () => {
  const r = recorder(0);
  const rep = createReporter(r.sink, true, r.now);
  rep.downloadStart(NAME, 123_400_000);
  const line = (r.writes[0] ?? '').slice(CLEAR.length);
  assert.ok(line.length > 40 && line.length <= 79, line);
});

test('not interactive: a start line and an end line, nothing else, no control characters', () => {
  const r = recorder(100);
  const rep = createReporter(r.sink, false, r.now);
  rep.info('Installing Teleport client tools v13.3.0...');
  rep.downloadStart(NAME, 123_400_000);
  for (let i = 1; i <= 1000; i++) {
    r.advance(10);
    rep.downloadProgress({ received: i * 123_400, total: 123_400_000 });
  }
  rep.downloadEnd(true);
  assert.equal(
    r.text(),
    `Installing Teleport client tools v13.3.0...\nDownloading ${NAME} (123.4 MB)...\nDownloaded ${NAME} (123.4 MB) in 10.0 s\n`,
  );
});

test('not interactive: a failed download says how far it got', () => {
  const r = recorder();
  const rep = createReporter(r.sink, false, r.now);
  rep.downloadStart('x', undefined);
  rep.downloadProgress({ received: 2_000_000, total: undefined });
  r.advance(1500);
  rep.downloadEnd(false);
  assert.equal(r.text(), 'Downloading x...\nDownload of x stopped after 1.5 s (2.0 MB)\n');
});
