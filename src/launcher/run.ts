/**
 * What main.ts (the runtime gate) loads once the runtime is fit: runs the launcher's slow path
 * (slow-path.ts, bundled beside this module's build as slow-path.cjs) through V8's code cache
 * (compile-cache.ts), and writes that cache once the launcher's answer is out.
 */
import { fileURLToPath } from 'node:url';
import { teleportHome } from '../teleport-home.js';
import { afterOutput } from './after-output.js';
import { loadBundle } from './compile-cache.js';

const loaded = loadBundle(fileURLToPath(new URL('./slow-path.cjs', import.meta.url)), teleportHome(process.env));
afterOutput(loaded.save);
