export {
  CONSUMER_LABEL_PATTERN,
  ConsumersFileError,
  addConsumerRecord,
  emptyConsumersFile,
  parseConsumersFile,
  readConsumersFile,
  revokeConsumerRecord,
  unreadableConsumersFile,
  writeConsumersFile,
} from './file.js';
export type { ConsumerRecord, ConsumersFile, NewConsumer } from './file.js';
export { ConsumerRegistry, consumerPrincipal } from './registry.js';
export type { ConsumerRegistryStatus } from './registry.js';
export {
  CONSUMER_TOKEN_PREFIX,
  generateConsumerToken,
  hashConsumerToken,
  isConsumerToken,
  matchTokenHash,
} from './tokens.js';
