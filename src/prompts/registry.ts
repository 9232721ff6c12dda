import type { PromptDefinition } from './define.js';

/** Every prompt the server offers. */
export const ALL_PROMPTS: readonly PromptDefinition[] = [];
