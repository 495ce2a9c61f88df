/**
 * Usage events named as RFD 0133 names them (`connect.connectMyComputer.setup`,
 * `connect.connectMyComputer.agentStart`), recorded only when `usage_reporting: true` is in tools.yaml,
 * and only to a local JSON-lines file: nothing is sent anywhere. Cluster and user names are replaced by
 * HMAC-SHA256 under a random key made once per install, so the file never holds them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectDirs } from './paths.js';
import { EVENTS_FILE, EVENTS_KEY_FILE } from './paths.js';

export type SetupStepName = 'setting_up_role' | 'downloading_agent' | 'generating_config_file' | 'joining_cluster';

export type UsageEvent =
  | { event: 'connect.connectMyComputer.setup'; success: true }
  | { event: 'connect.connectMyComputer.setup'; success: false; failedStep: SetupStepName }
  | { event: 'connect.connectMyComputer.agentStart' };

export interface EventSink {
  enabled: boolean;
  dirs: ConnectDirs;
}

export function eventsFile(dirs: ConnectDirs): string {
  return join(dirs.userData, EVENTS_FILE);
}

async function installKey(dirs: ConnectDirs): Promise<Buffer> {
  const file = join(dirs.userData, EVENTS_KEY_FILE);
  const read = async () => Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
  try {
    const key = await read();
    if (key.length === 32) return key;
  } catch {
    // Not made yet.
  }
  await mkdir(dirs.userData, { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // Whoever made it first, everyone uses the same key.
  return read();
}

export function anonymize(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

/** Appends one event; never fails the command it describes. */
export async function recordEvent(sink: EventSink, who: { cluster: string; user: string }, event: UsageEvent): Promise<void> {
  if (!sink.enabled) return;
  try {
    const key = await installKey(sink.dirs);
    const { event: name, ...props } = event;
    const line = {
      event: name,
      timestamp: new Date().toISOString(),
      properties: { 'tp.cluster_name': anonymize(key, who.cluster), 'tp.user_name': anonymize(key, who.user), ...props },
    };
    await appendFile(eventsFile(sink.dirs), `${JSON.stringify(line)}\n`, { mode: 0o600 });
  } catch {
    // Usage reporting is a nicety; a read-only disk must not fail setup.
  }
}
