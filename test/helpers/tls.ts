// Test PEM files (committed; regenerate with test/fixtures/tls/generate.sh). Paths resolve from the
// compiled file in dist/test/helpers back to the sources, because tsc does not copy .pem files.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = new URL('../../../test/fixtures/tls/', import.meta.url);
const path = (name: string): string => fileURLToPath(new URL(name, dir));

/** Absolute paths of the test PEM files. */
export const tlsPaths = {
  /** Test CA certificate: point NODE_EXTRA_CA_CERTS here. */
  ca: path('ca.pem'),
  caKey: path('ca-key.pem'),
  /** Server certificate for 127.0.0.1, localhost and ::1, signed by `ca`. */
  cert: path('server.pem'),
  key: path('server-key.pem'),
  /** An unrelated CA and a server certificate (same names) signed by it: never trusted by tests. */
  otherCa: path('other-ca.pem'),
  otherCert: path('other-server.pem'),
  otherKey: path('other-server-key.pem'),
} as const;

export type TlsFile = keyof typeof tlsPaths;

/** Contents of the same files, as strings. */
export const tlsPems: Readonly<Record<TlsFile, string>> = Object.fromEntries(
  Object.entries(tlsPaths).map(([name, file]) => [name, readFileSync(file, 'utf8')]),
) as Record<TlsFile, string>;
