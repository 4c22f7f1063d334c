/**
 * `presence-bridge` run from source (node --import tsx lab/bridge.ts …): the same main()
 * as bin/presence-bridge.js without a build, for the demo and the end-to-end benchmark.
 */
import { main } from "../src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
