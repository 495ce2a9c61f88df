/**
 * The file name of a binary in a version directory: `tsh` on Linux and macOS, `tsh.exe` on Windows
 * (docs/behaviour.md item 21), where the zip's flat names are installed as they are.
 */
export function exeName(tool: string, platform: string = process.platform): string {
  return platform === 'win32' ? `${tool}.exe` : tool;
}

/**
 * May this file be run? Windows has no execute bit (Node.js reports 0666 for every file there); on
 * other systems the owner's, group's or others' execute bit must be set.
 */
export function executableMode(mode: number, platform: string = process.platform): boolean {
  return platform === 'win32' || (mode & 0o111) !== 0;
}
