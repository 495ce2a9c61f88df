/** Settings that silently turn updates off or get ignored: a broken tools.yaml, a bad TELEPORT_TOOLS_VERSION, an unsupported platform. */
import { ToolsError } from '../errors.js';
import type { Settings } from '../settings.js';
import type { Check } from './check.js';
import { failed, passed, shellQuote } from './check.js';

const NAME = 'config';

export function checkConfig(settings: Settings): Check {
  if (settings.configError) {
    return failed(NAME, `${settings.configError.message}; automatic updates are off until it is fixed`, `fix or remove ${shellQuote(settings.configFile)} ('teleport-tools config list' shows what is read)`);
  }
  if (settings.pin.kind === 'invalid') {
    return failed(NAME, `TELEPORT_TOOLS_VERSION=${JSON.stringify(settings.pin.raw.slice(0, 40))} is neither off nor a version X.Y.Z, so it is ignored`, 'unset TELEPORT_TOOLS_VERSION, or set it to off or to a version such as 17.0.1');
  }
  if (settings.platform instanceof ToolsError) {
    return failed(NAME, settings.platform.message, 'use tsh and tctl from a supported machine (Linux or macOS on x64 or arm64)');
  }
  const updates = settings.autoUpdates.enabled ? 'automatic updates on' : `automatic updates off (${settings.autoUpdates.reason})`;
  const pin = settings.pin.kind === 'version' ? `; TELEPORT_TOOLS_VERSION pins v${settings.pin.version}` : '';
  return passed(NAME, `${updates}${pin}; edition ${settings.config.edition}; ${settings.platform.os}-${settings.platform.arch}`);
}
