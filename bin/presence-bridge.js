#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm install` through the prepare script).
import { main } from "../dist/src/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    // A bug, not bad input: say so in one line and keep the detail for a bug report.
    process.stderr.write(`presence-bridge: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.PRESENCE_BRIDGE_DEBUG) process.stderr.write(`${error?.stack ?? ""}\n`);
    process.exitCode = 70;
  },
);
