#!/usr/bin/env node
// The `aauth` command. A committed file rather than a path into dist/, so that `npm ci` links
// node_modules/.bin/aauth before the workspace's `prepare` has built dist/.
import '../dist/main.js';
