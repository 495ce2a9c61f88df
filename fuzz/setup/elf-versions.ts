/**
 * Reads and edits the version needs of an ELF64 little-endian shared object (`.gnu.version_r`): which
 * symbol versions it requires from which library. Marking a need weak (VER_FLG_WEAK) lets the dynamic
 * loader load the object when the library lacks that version; the symbols tied to it must then come
 * from somewhere else in the process (here: a preloaded compatibility library that defines them
 * under the same version names).
 */

const SHT_GNU_VERNEED = 0x6ffffffe;
export const VER_FLG_WEAK = 0x2;

export interface VersionNeed {
  /** The library, e.g. `libc.so.6`. */
  file: string;
  /** The version, e.g. `GLIBC_2.38`. */
  version: string;
  weak: boolean;
  /** Byte offset of the need's flags field in the file. */
  flagsOffset: number;
}

function cString(buf: Buffer, at: number): string {
  const end = buf.indexOf(0, at);
  return buf.toString('latin1', at, end === -1 ? buf.length : end);
}

/** Every version need of the object; throws for a file that is not a 64-bit little-endian ELF. */
export function versionNeeds(elf: Buffer): VersionNeed[] {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) {
    throw new Error('not a 64-bit little-endian ELF file');
  }
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return { type: elf.readUInt32LE(at + 4), offset: Number(elf.readBigUInt64LE(at + 0x18)), link: elf.readUInt32LE(at + 0x28), info: elf.readUInt32LE(at + 0x2c) };
  };
  const needs: VersionNeed[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== SHT_GNU_VERNEED) continue;
    const strtab = section(s.link).offset;
    let vn = s.offset;
    for (let n = 0; n < s.info; n++) {
      const file = cString(elf, strtab + elf.readUInt32LE(vn + 4));
      let aux = vn + elf.readUInt32LE(vn + 8);
      for (let a = 0; a < elf.readUInt16LE(vn + 2); a++) {
        const flags = elf.readUInt16LE(aux + 4);
        needs.push({ file, version: cString(elf, strtab + elf.readUInt32LE(aux + 8)), weak: (flags & VER_FLG_WEAK) !== 0, flagsOffset: aux + 4 });
        aux += elf.readUInt32LE(aux + 12);
      }
      vn += elf.readUInt32LE(vn + 12);
    }
  }
  return needs;
}

/** Marks the named version needs weak in place; returns the ones it changed. */
export function makeWeak(elf: Buffer, versions: readonly string[]): VersionNeed[] {
  const changed = versionNeeds(elf).filter((need) => versions.includes(need.version) && !need.weak);
  for (const need of changed) elf.writeUInt16LE(elf.readUInt16LE(need.flagsOffset) | VER_FLG_WEAK, need.flagsOffset);
  return changed;
}
