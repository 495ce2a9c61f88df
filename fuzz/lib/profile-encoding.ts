/**
 * The inverse of targets/profile.ts's and targets/tsh-args.ts's readers, for seeds: a readable case
 * (the profile table's shape) as the bytes those targets decode back into it.
 */
const SEP = 0xff;
/** An argument byte at or above this reads the argument as text (below: a word of the dictionary). */
const TEXT = 0xf0;

export interface PlainCase {
  tool: 'tsh' | 'tctl';
  args: readonly string[];
  envProxy?: string | undefined;
  currentProfile?: string | undefined;
}

const text = (s: string): number[] => [...Buffer.from(s, 'utf8'), SEP];

export function encodeProfileCase(c: PlainCase, opts: { argsOnly?: boolean } = {}): Buffer {
  const args = c.args.flatMap((a) => [TEXT, ...text(a)]);
  if (opts.argsOnly) return Buffer.from([c.args.length, ...args]);
  const out = [c.tool === 'tctl' ? 0 : 1, c.args.length, ...args];
  out.push(...(c.envProxy === undefined ? [0] : [3, ...text(c.envProxy)]));
  out.push(1); // TELEPORT_TOOLS_VERSION unset
  out.push(...(c.currentProfile === undefined ? [0] : [1, ...text(c.currentProfile)]));
  out.push(0, 0); // no cloud-stable-version, no record
  return Buffer.from(out);
}
