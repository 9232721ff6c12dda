export { containsCardNumber, maskCardNumbers, passesLuhn } from './card-scan.js';
export { createLogger } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export { REDACTED, isSensitiveKey, redactText, redactValue } from './redact.js';
