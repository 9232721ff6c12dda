import { readFileSync } from 'node:fs';

const USAGE = `Usage: whmcs-mcp <command> [options]

Commands:
  --help        Show this help
  --version     Print the version
`;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Runs the CLI and returns the exit code: 0 success, 1 failure, 2 usage error. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  process.stderr.write(`whmcs-mcp: unknown command '${command}'\n\n${USAGE}`);
  return 2;
}
