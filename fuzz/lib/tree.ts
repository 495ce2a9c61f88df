/** What a directory holds, recursively, as a comparable listing (type, mode, size, link target). */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const s = lstatSync(join(dir, path));
      const mode = (s.mode & 0o7777).toString(8);
      if (s.isSymbolicLink()) out.push(`${path} link ${readlinkSync(join(dir, path))}`);
      else if (s.isDirectory()) {
        out.push(`${path} dir ${mode}`);
        walk(path);
      } else out.push(`${path} ${s.isFile() ? 'file' : 'other'} ${mode} ${s.size}`);
    }
  };
  walk('');
  return out;
}
