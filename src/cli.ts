#!/usr/bin/env node
// Entry point of the `whmcs-mcp` command. Subcommands live in src/cli/.
import { runCli } from './cli/main.js';

process.exitCode = await runCli(process.argv.slice(2));
