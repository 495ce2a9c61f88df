/**
 * teleport-tools: the management CLI, loaded by main.ts (the runtime gate) on a supported Node.js.
 * One module per command; this file only wires them up.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { readPackage } from '../runtime-gate.js';
import { statusCommand } from './status.js';
import { updateCommand } from './update.js';
import { configCommand } from './config.js';
import { cleanCommand } from './clean.js';
import { doctorCommand } from './doctor.js';
import { cmcCommand } from './cmc.js';

await yargs(hideBin(process.argv))
  .scriptName('teleport-tools')
  .usage('$0 <command>\n\nKeeps Teleport\'s tsh and tctl up to date, and shares this computer with your cluster.')
  .command(statusCommand)
  .command(updateCommand)
  .command(configCommand)
  .command(cleanCommand)
  .command(doctorCommand)
  .command(cmcCommand)
  .completion('completion', 'Print a bash/zsh completion script (source it from your shell rc file)')
  .demandCommand(1, 'Name a command; see --help.')
  .recommendCommands()
  .strict()
  .help()
  .alias('h', 'help')
  .version((await readPackage()).version)
  .wrap(Math.min(100, process.stdout.columns || 100))
  .fail((msg, err) => {
    if (err) throw err;
    process.stderr.write(`teleport-tools: ${msg}\nRun 'teleport-tools --help' for usage.\n`);
    process.exit(2);
  })
  .parseAsync();
