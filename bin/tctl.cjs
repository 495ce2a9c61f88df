#!/usr/bin/env node
// teleport-tools launcher for tctl: the npm bin entry. JavaScript, so that npm writes Windows command
// shims (tctl.cmd, tctl.ps1) that start Node.js. On Linux and macOS this file is replaced by the sh
// launcher (shims/tctl) at install, or on the first run when npm ran no install scripts (bin/swap.cjs).
'use strict';
require('./swap.cjs').launch('tctl', __filename);
