/** `teleport-tools cmc`: placeholder until Connect My Computer lands. */
import type { CommandModule } from 'yargs';

export const cmcCommand: CommandModule = {
  command: 'cmc',
  describe: 'Connect My Computer: share this computer with your cluster as an SSH node',
  handler: () => undefined,
};
