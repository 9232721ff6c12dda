export { ConfigError, inspectConfig, loadConfig, readConfigSources, resolveStatePath } from './load.js';
export type { ConfigInspection, ConfigSources, LoadConfigOptions } from './load.js';
export { evaluateConfig, formatConfigProblems, parseConfig } from './schema.js';
export type {
  AppConfig,
  ConfigEvaluation,
  ConfigProblem,
  ConfigVariableValues,
  RawEnvironment,
  WhmcsConfig,
} from './schema.js';
export {
  ACCESS_MODES,
  CONFIG_VARIABLES,
  CONFIG_VARIABLE_NAMES,
  LOG_FORMATS,
  LOG_LEVELS,
  MCP_ENVS,
  MCP_MODES,
  isSecretVariableName,
} from './variables.js';
export type {
  AccessMode,
  ConfigGroup,
  ConfigVariable,
  ConfigVariableName,
  LogFormat,
  LogLevel,
  McpEnv,
  McpMode,
} from './variables.js';
export { whmcsClientOptions } from './whmcs-client-options.js';
export type { WhmcsClientSettings } from './whmcs-client-options.js';
