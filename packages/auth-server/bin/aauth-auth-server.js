#!/usr/bin/env node
// The `aauth-auth-server` command. It lives outside dist so that it exists when npm links bins: in
// a clone, `npm ci` links them before `prepare` has built dist, and skips a bin whose file is missing.
await import('../dist/bin/aauth-auth-server.js');
