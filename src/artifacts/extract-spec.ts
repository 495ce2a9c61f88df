/** What an extraction is asked for (which entries, which bundles, which caps) and what it leaves. */
import type { BundleEntry, BundleSpec } from './bundle.js';

export interface ExtractSpec {
  /** Archive path (e.g. `teleport/tsh`) -> file name written in the destination directory. */
  entries: Readonly<Record<string, string>>;
  /**
   * App bundles that replace a bare entry when the archive holds them: archive directory (e.g.
   * `teleport/tsh.app`) -> the bundle. Its `binary` is the file name of the bare entry it replaces.
   */
  bundles?: Readonly<Record<string, BundleSpec>>;
  /** Most entries one bundle may hold (default 1000; a real one holds a dozen). */
  maxBundleEntries?: number;
  /** Largest entry, wanted or not. */
  maxEntryBytes: number;
  /** Largest decompressed archive. */
  maxTotalBytes: number;
  /** A zip (Windows): saved while it streams, extracted by zip.ts once verified. Unset: gzip'd tar. */
  format?: 'zip' | undefined;
}

/** What an extraction left in the destination directory. */
export interface Extracted {
  /** SHA-256 of every regular file written, by path relative to the destination. */
  files: Record<string, string>;
  /** Binaries that came as app bundles -> their executable's path (`tsh.app/Contents/MacOS/tsh`). */
  bundles: Record<string, string>;
  /** Every entry of those bundles. */
  bundleEntries: BundleEntry[];
}
