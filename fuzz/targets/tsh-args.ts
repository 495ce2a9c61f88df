/**
 * tsh's command line, differential: argument lists drawn from tsh's own flags and the input, read
 * by the shim (dash and bash) and by the TypeScript parsers; a login or logout TypeScript sees must
 * take the slow path in the shell, and both must find the same profile in --proxy.
 */
import { ByteReader } from '../lib/bytes.js';
import { compareShimAndTypescript } from '../lib/shim-differential.js';

const WORDS = [
  '--proxy', '--proxy=', 'login', 'logout', '--', '-l', '--user', 'ssh', 'status', '-d', '--insecure', '-lroot', '--login',
  'a.example.com', '[::1]:3080', 'https://h.example.com:443/x', 'h.example.com:443,3023', '--proxy=a.example.com',
];

/** One argument: a word tsh knows, or text from the input (never a NUL: argv cannot hold one). */
export function argument(r: ByteReader): string {
  const n = r.byte();
  if (n < WORDS.length * 8) return WORDS[n % WORDS.length] as string;
  return r.chunk(200).toString('utf8').replace(/\0/g, '');
}

export async function fuzz(data: Buffer): Promise<void> {
  const r = new ByteReader(data);
  const args = Array.from({ length: r.pick(9) }, () => argument(r));
  await compareShimAndTypescript({ tool: 'tsh', args, env: {}, files: {} });
}
