/**
 * Prompts are reusable task recipes an operator picks in the host ("month-end reconciliation").
 * They only produce messages; every WHMCS access they lead to goes through the tools.
 */
export interface PromptArgument {
  name: string;
  description: string;
  required: boolean;
}

export interface PromptDefinition {
  name: string;
  title: string;
  description: string;
  arguments: readonly PromptArgument[];
  /** Whether the prompt makes sense in client mode (it uses only client-scoped tools). */
  availableInClientMode: boolean;
  render(args: Record<string, string>): string;
}

export function definePrompt(definition: PromptDefinition): PromptDefinition {
  return definition;
}
