import type { ResourceDefinition } from './define.js';

/** Every resource the server serves. */
export const ALL_RESOURCES: readonly ResourceDefinition[] = [];
