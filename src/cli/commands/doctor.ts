/** `whmcs-mcp doctor`: checks the configuration and the connection to WHMCS in one run. */
import { createLogger } from '../../logging/logger.js';
import { EXIT_FAILURE, EXIT_OK, defineCommand } from '../command.js';
import { runDoctor } from '../doctor/checks.js';
import { renderDoctorReport } from '../doctor/render.js';

export const doctorCommand = defineCommand({
  name: 'doctor',
  summary: 'Check the configuration and the connection to WHMCS',
  description: [
    'Reads the configuration the server would use (.env, .env.<MCP_ENV>, the environment) and',
    'reports every problem at once. Then makes one read call to WHMCS (WhmcsDetails) to show',
    'its version, and one (GetAdminDetails) to summarize what the credential may do. Nothing is',
    'changed in WHMCS. Exits 0 when every check passes, 1 otherwise.',
  ].join('\n'),
  options: {
    json: { type: 'boolean', description: 'Print the report as JSON' },
    verbose: { type: 'boolean', description: 'Log the WHMCS calls to stderr' },
  },
  examples: ['whmcs-mcp doctor', 'MCP_ENV=staging whmcs-mcp doctor --json'],
  async run({ options, io }) {
    const logger = createLogger({
      level: options.verbose === true ? 'debug' : 'silent',
      format: 'pretty',
      destination: io.stderr,
    });
    const report = await runDoctor({ env: io.env, cwd: io.cwd, logger });
    io.stdout.write(
      options.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderDoctorReport(report),
    );
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  },
});
