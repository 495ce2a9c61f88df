/**
 * What Connect My Computer needs from the launcher: `tsh logout` stops the agent and deletes the agent
 * directory of each profile logged out (before logout runs); `tsh login` reminds the user when sharing
 * was on. Both are best effort: they never stop tsh from running. They run on every login and logout,
 * so the Connect My Computer modules load only when there is something of theirs on disk.
 */
import { access } from 'node:fs/promises';
import { describeError } from '../errors.js';
import type { Settings } from '../settings.js';
import type { Reporter } from '../ui/reporter.js';
import type { LaunchPlan } from '../tools/launch.js';
import { agentProfileName, agentsRoot, stateFile } from '../cmc/paths.js';

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

export async function afterPlan(settings: Settings, reporter: Reporter, plan: LaunchPlan): Promise<void> {
  const { subcommand } = plan;
  if (subcommand !== 'login' && subcommand !== 'logout') return;
  const proxyHost = plan.proxyHost === undefined ? undefined : agentProfileName(plan.proxyHost);
  try {
    if (subcommand === 'logout') {
      if (!(await exists(agentsRoot(settings.connect))) && !(await exists(stateFile(settings.connect)))) return;
      const { cleanUpForLogout } = await import('../cmc/manage.js');
      await cleanUpForLogout(settings, reporter, proxyHost);
    } else if (proxyHost && (await exists(stateFile(settings.connect)))) {
      const { remindAfterLogin } = await import('../cmc/manage.js');
      await remindAfterLogin(settings, reporter, proxyHost);
    }
  } catch (err) {
    reporter.warn(`Connect My Computer: ${describeError(err)}`);
  }
}
