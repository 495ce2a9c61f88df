/**
 * Version endpoint bodies: a plain X.Y.Z or EVERSION. What is accepted must pass every later step
 * (requirePlainVersion before writing cloud-stable-version, the archive name, version comparison).
 */
import { archiveName, compareVersions, isPlainVersion, majorOf, parseVersionBody, requirePlainVersion } from '../adapters/version-body.js';
import { check, parseOrRefuse } from '../lib/check.js';

export function fuzz(data: Buffer): void {
  const version = parseOrRefuse(() => parseVersionBody(data.toString('utf8'), 'https://cdn.example.com/v1/webapi/automaticupgrades/channel/stable/cloud/version'), ['EVERSION']);
  if (version === undefined) return;
  check(isPlainVersion(version), `accepted ${JSON.stringify(version)}, not a plain version`);
  requirePlainVersion(version, 'cloud-stable version');
  check(Number.isSafeInteger(majorOf(version)) && compareVersions(version, version) === 0, `${version} does not compare with itself`);
  const name = archiveName({ version, edition: 'oss', platform: { os: 'linux', arch: 'amd64' } });
  check(name === `teleport-v${version}-linux-amd64-bin.tar.gz`, `archive name ${name}`);
}
