// Shell completion for `teleport-tools`, sourced into a real bash and (when installed) a real zsh, the
// way the docs tell users to: `source <(teleport-tools completion)`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, createSandbox, run } from '../helpers/sandbox.js';
import type { Sandbox } from '../helpers/sandbox.js';

const has = (shell: string): boolean => !spawnSync(shell, ['-c', 'exit 0']).error;
const noBash = has('bash') ? false : 'bash is not installed';
const noZsh = has('zsh') ? false : 'zsh is not installed (Debian: apt-get install zsh)';
const COMMANDS = ['status', 'update', 'config', 'clean', 'doctor', 'cmc', 'completion'];

let box: Sandbox;
before(async () => {
  box = await createSandbox();
  await symlink(CLI, join(box.bin, 'teleport-tools'));
});
after(() => box.remove());

const sh = (shell: string, script: string, extra: Record<string, string> = {}) => run(shell, ['-c', script], { env: { ...box.env, ...extra }, cwd: box.home });

describe('teleport-tools completion', () => {
  it('prints a bash script by default, on stdout only', async () => {
    const r = await box.cli(['completion'], { SHELL: '/bin/bash' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^###-begin-teleport-tools-completions-###$/m);
    assert.match(r.stdout, /^complete -o bashdefault -o default -F _teleport-tools_yargs_completions teleport-tools$/m);
  });

  it('prints a zsh script when SHELL is zsh', async () => {
    const r = await box.cli(['completion'], { SHELL: '/usr/bin/zsh' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^#compdef teleport-tools\n/);
    assert.match(r.stdout, /compdef _teleport-tools_yargs_completions teleport-tools/);
  });

  it('completes commands and subcommands in bash', { skip: noBash }, async () => {
    const r = await sh('bash', [
      'source <(teleport-tools completion)',
      'complete -p teleport-tools; echo --',
      'complete_at() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _teleport-tools_yargs_completions; printf "%s\\n" "${COMPREPLY[@]}"; echo --; }',
      'complete_at teleport-tools ""',
      'complete_at teleport-tools st',
      'complete_at teleport-tools config ""',
      'complete_at teleport-tools doctor --j',
      'complete_at teleport-tools update --p',
    ].join('\n'), { SHELL: '/bin/bash' });
    assert.equal(r.code, 0, r.stderr);
    const [registered, all, st, config, json, proxy] = r.stdout.split('--\n').map((s) => s.trim().split('\n'));
    assert.deepEqual(registered, ['complete -o bashdefault -o default -F _teleport-tools_yargs_completions teleport-tools']);
    assert.deepEqual(all, COMMANDS);
    assert.deepEqual(st, ['status']);
    assert.deepEqual(config, ['get', 'set', 'unset', 'list']);
    assert.deepEqual(json, ['--json']);
    assert.deepEqual(proxy, ['--proxy']);
  });

  it('registers with compinit and completes with descriptions in zsh', { skip: noZsh }, async () => {
    const r = await sh('zsh', [
      'autoload -U compinit && compinit -u -D',
      'source <(teleport-tools completion)',
      'print -r -- "registered: ${_comps[teleport-tools]}"',
      // _describe is what shows the menu; here it prints the candidates it was given.
      '_describe() { print -rl -- "${(@P)2}" }',
      'words=(teleport-tools config ""); CURRENT=3; BUFFER="teleport-tools config "; CURSOR=${#BUFFER}',
      '_teleport-tools_yargs_completions',
    ].join('\n'), { SHELL: '/usr/bin/zsh' });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], 'registered: _teleport-tools_yargs_completions');
    assert.deepEqual(lines.slice(1).map((l) => l.split(':')[0]), ['get', 'set', 'unset', 'list']);
    assert.match(lines[1] ?? '', /^get:Print the value in effect/);
  });
});
