/** `teleport-tools doctor`: placeholder until the checks land. */
import type { CommandModule } from 'yargs';

export const doctorCommand: CommandModule = {
  command: 'doctor',
  describe: 'Check this installation and print a fix for each problem',
  handler: () => undefined,
};
