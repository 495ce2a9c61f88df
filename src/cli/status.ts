/** `teleport-tools status [--json]`: what runs when you type tsh, and why. */
import type { CommandModule } from 'yargs';
import { listInstalled } from '../tools/cache.js';
import { readVersionFile } from '../tools/version-file.js';
import { selectVersion } from '../tools/update.js';
import { profileOf } from '../tools/profile.js';
import { listRecords } from '../tools/cluster-versions.js';
import { buildSettingNotes } from '../tools/edition.js';
import { redact } from '../http.js';
import { ToolsError } from '../errors.js';
import { cliContext, handler, out, printJson } from './common.js';

interface Args {
  json: boolean;
}

export const statusCommand: CommandModule<object, Args> = {
  command: 'status',
  describe: 'Show the selected version, installed versions, and update settings',
  builder: (y) => y.option('json', { type: 'boolean', default: false, describe: 'Print one JSON document' }),
  handler: handler(async (args) => {
    const { settings } = await cliContext();
    const profile = await profileOf(settings);
    const selected = await selectVersion(settings, profile);
    const installed = await listInstalled(settings.cacheDir);
    const clusters = (await listRecords(settings.home)).map((r) => ({
      profile: r.profile,
      version: r.state.kind === 'ok' ? r.state.version : null,
      installed: r.state.kind === 'ok' && installed.some((v) => v.version === (r.state as { version: string }).version),
      ...(r.state.kind === 'bad' ? { problem: `${r.file} ${r.state.why}` } : {}),
    }));
    const report = {
      teleportHome: settings.home,
      selectedVersion: selected.version ?? null,
      selectedFrom: selected.source,
      profile: profile ?? null,
      selectedInstalled: selected.version !== undefined && installed.some((v) => v.version === selected.version),
      cloudStableVersion: (await readVersionFile(settings.versionFile)) ?? null,
      clusters,
      installedVersions: installed.map((v) => ({ version: v.version, path: v.dir, installedAt: v.installedAt })),
      autoUpdates: settings.autoUpdates.enabled,
      autoUpdatesReason: settings.autoUpdates.reason,
      versionUrl: redact(settings.versionUrl.value),
      versionUrlFrom: settings.versionUrl.source,
      cdnBaseUrl: redact(settings.cdnBaseUrl.value),
      cdnBaseUrlFrom: settings.cdnBaseUrl.source,
      edition: settings.config.edition,
      fips: settings.config.fips,
      buildNotes: buildSettingNotes(settings),
      followClusterVersion: settings.config.follow_cluster_version,
      platform: settings.platform instanceof ToolsError ? null : `${settings.platform.os}-${settings.platform.arch}`,
      configFile: settings.configFile,
      configError: settings.configError?.message ?? null,
      ...(settings.pin.kind === 'invalid' ? { ignoredPin: settings.pin.raw } : {}),
    };
    if (args.json) return printJson(report);
    const lines = [
      `TELEPORT_HOME:         ${report.teleportHome}`,
      `Profile:               ${report.profile ?? 'none'}${profile ? ' (TELEPORT_PROXY or current-profile)' : ''}`,
      `Selected version:      ${report.selectedVersion ? `v${report.selectedVersion}` : 'none'} (from ${selected.source === 'cluster-versions' ? `cluster-versions/${profile}` : report.selectedFrom})${report.selectedVersion && !report.selectedInstalled ? ' - not installed yet' : ''}`,
      `cloud-stable-version:  ${report.cloudStableVersion ? `v${report.cloudStableVersion}` : 'none'}`,
      clusters.length ? 'Cluster versions:' : 'Cluster versions:      none',
      ...clusters.map((c) => `  ${c.profile}: ${c.version ? `v${c.version}${c.installed ? '' : ' (not installed)'}` : `unusable (${c.problem ?? ''})`}`),
      `Installed versions:    ${installed.length ? installed.map((v) => `v${v.version}`).join(', ') : 'none'}`,
      `Automatic updates:     ${report.autoUpdates ? 'on' : `off (${report.autoUpdatesReason})`}`,
      `Version endpoint:      ${report.versionUrl} (${report.versionUrlFrom})`,
      `CDN:                   ${report.cdnBaseUrl} (${report.cdnBaseUrlFrom})`,
      `Edition:               ${report.edition}${report.fips ? ' (FIPS)' : ''}`,
      ...report.buildNotes.map((n) => `                       ${n}`),
      `Platform:              ${report.platform ?? 'unsupported'}`,
      `Config file:           ${report.configFile}${report.configError ? ` (invalid: ${report.configError})` : ''}`,
    ];
    if (settings.pin.kind === 'invalid') lines.push(`Ignored:               TELEPORT_TOOLS_VERSION=${settings.pin.raw} (not off or X.Y.Z)`);
    out(lines.join('\n'));
  }),
};
