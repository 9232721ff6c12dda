/**
 * Reads the configuration from its three layers: `.env`, then `.env.<MCP_ENV>` over it, then the
 * real process environment over both (so Docker or an MCP host's `env` block always wins), then
 * any caller overrides (the `--sandbox` flag supplies the WHMCS settings this way).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import {
  evaluateConfig,
  formatConfigProblems,
  type AppConfig,
  type ConfigEvaluation,
  type ConfigProblem,
  type RawEnvironment,
} from './schema.js';
import { MCP_ENVS, type ConfigVariableName, type McpEnv } from './variables.js';

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[], sources?: readonly string[]) {
    const origin =
      sources === undefined || sources.length === 0
        ? ''
        : `\n(read from ${[...sources, 'the process environment'].join(', ')})`;
    super(`${formatConfigProblems(problems)}${origin}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadConfigOptions {
  /** The process environment; defaults to process.env. */
  env?: NodeJS.ProcessEnv | RawEnvironment;
  /** Where `.env` files are looked for, and what a relative MCP_STATE_DB is resolved against. */
  cwd?: string;
  /** Values that win over every other layer. */
  overrides?: Partial<Record<ConfigVariableName, string>>;
}

export interface ConfigSources {
  /** The merged variables, highest layer winning. */
  env: Record<string, string | undefined>;
  /** The `.env` files that were found and read, by file name. */
  files: string[];
  /** The profile whose `.env.<profile>` file was looked for; undefined if MCP_ENV is invalid. */
  profile: McpEnv | undefined;
  /** Files that exist but could not be read or hold malformed lines. */
  problems: ConfigProblem[];
}

const ASSIGNMENT = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*(.*)$/;

/**
 * parseEnv glues a line without "=" onto the next one, silently losing that variable; such lines
 * are blanked first and reported by number, never by content (they may hold a secret).
 */
function withoutMalformedLines(content: string): { content: string; malformed: number[] } {
  const lines = content.split(/\r?\n/);
  const malformed: number[] = [];
  let openQuote: string | undefined;
  const kept = lines.map((line, index) => {
    if (openQuote !== undefined) {
      if (line.includes(openQuote)) openQuote = undefined;
      return line;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return line;
    const assignment = ASSIGNMENT.exec(line);
    if (assignment === null) {
      malformed.push(index + 1);
      return '';
    }
    const value = assignment[1] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !value.slice(1).includes(quote))
      openQuote = quote;
    return line;
  });
  return { content: kept.join('\n'), malformed };
}

function readEnvFile(
  directory: string,
  fileName: string,
  files: string[],
  problems: ConfigProblem[],
): Record<string, string> {
  let content: string;
  try {
    content = readFileSync(join(directory, fileName), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') {
      problems.push({ variable: fileName, message: `cannot be read (${code ?? 'unknown error'})` });
    }
    return {};
  }
  files.push(fileName);
  const checked = withoutMalformedLines(content);
  for (const line of checked.malformed) {
    problems.push({ variable: fileName, message: `line ${line} is not NAME=value and was skipped` });
  }
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(parseEnv(checked.content))) {
    if (value !== undefined) variables[name] = value;
  }
  return variables;
}

function definedEntries(env: NodeJS.ProcessEnv | RawEnvironment | Partial<Record<string, string>>) {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}

function asProfile(value: string | undefined): McpEnv | undefined {
  const normalized = value?.trim().toLowerCase() || 'development';
  return MCP_ENVS.find((profile) => profile === normalized);
}

export function readConfigSources(options: LoadConfigOptions = {}): ConfigSources {
  const processEnv = options.env ?? process.env;
  const directory = options.cwd ?? process.cwd();
  const files: string[] = [];
  const problems: ConfigProblem[] = [];

  const base = readEnvFile(directory, '.env', files, problems);
  // MCP_ENV chooses the profile file, so it cannot come from that file; `.env` may set it.
  const chosen = options.overrides?.MCP_ENV ?? (processEnv.MCP_ENV?.trim() || undefined) ?? base.MCP_ENV;
  const profile = asProfile(chosen);
  let profileVariables: Record<string, string> = {};
  if (profile !== undefined) {
    const profileFile = `.env.${profile}`;
    profileVariables = readEnvFile(directory, profileFile, files, problems);
    const declared = asProfile(profileVariables.MCP_ENV);
    if (profileVariables.MCP_ENV !== undefined && declared !== profile) {
      problems.push({
        variable: profileFile,
        message: `sets MCP_ENV to a different profile than the one that selected it (${profile}); set MCP_ENV in the process environment or in .env`,
      });
    }
  }

  const env = {
    ...base,
    ...profileVariables,
    ...definedEntries(processEnv),
    ...definedEntries(options.overrides ?? {}),
  };
  return { env, files, profile, problems };
}

export interface ConfigInspection extends ConfigEvaluation {
  files: string[];
  profile: McpEnv | undefined;
}

/** Every problem and warning, plus whatever could be built: for `doctor` and for loadConfig. */
export function inspectConfig(options: LoadConfigOptions = {}): ConfigInspection {
  const sources = readConfigSources(options);
  const evaluation = evaluateConfig(sources.env);
  const problems = [...sources.problems, ...evaluation.problems];
  const directory = options.cwd ?? process.cwd();
  const config =
    evaluation.config === undefined || problems.length > 0
      ? undefined
      : { ...evaluation.config, stateDbPath: resolveStatePath(directory, evaluation.config.stateDbPath) };
  return { ...evaluation, problems, config, files: sources.files, profile: sources.profile };
}

export function resolveStatePath(directory: string, path: string): string {
  // SQLite's in-memory name is not a path.
  return path === ':memory:' ? path : resolve(directory, path);
}

/** The validated configuration; throws ConfigError listing every problem at once. */
export function loadConfig(options: LoadConfigOptions = {}): AppConfig {
  const inspection = inspectConfig(options);
  if (inspection.config === undefined) throw new ConfigError(inspection.problems, inspection.files);
  return inspection.config;
}
