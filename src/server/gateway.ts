/**
 * The WHMCS door handed to a tool handler. It binds the call's abort signal, refuses blocked
 * (credential-returning) actions, refuses write actions to anything but the write-flow, refuses
 * actions the tool did not declare, and feeds the capability matrix with what live calls reveal.
 */
import { WhmcsMcpError } from '../errors.js';
import type { CapabilityMatrix } from '../policy/capabilities.js';
import type { AnyToolDefinition, WhmcsGateway, WhmcsReply } from '../tools/define.js';
import { getAction } from '../whmcs/actions.js';
import type { WhmcsCallOptions } from '../whmcs/client.js';
import type { WhmcsParams } from '../whmcs/encode.js';

export interface WhmcsCaller {
  call(action: string, params?: WhmcsParams, options?: WhmcsCallOptions): Promise<WhmcsReply>;
}

/** Declared by the governed generic call, which reaches any documented read action. */
export const ANY_READ_ACTION = '*read';

export class ToolWhmcsGateway implements WhmcsGateway {
  constructor(
    private readonly client: WhmcsCaller,
    private readonly tool: Pick<AnyToolDefinition, 'name' | 'whmcsActions'>,
    private readonly signal: AbortSignal,
    private readonly capabilities: CapabilityMatrix,
    /** Only the write-flow's executor opens the gateway to write actions. */
    private readonly allowWrites = false,
  ) {}

  async call(action: string, params: WhmcsParams = {}): Promise<WhmcsReply> {
    const definition = getAction(action);
    if (!definition) {
      throw new WhmcsMcpError('invalid_input', `${action} is not a documented WHMCS action.`);
    }
    if (definition.blocked) {
      throw new WhmcsMcpError(
        'forbidden',
        `${definition.name} is blocked: ${definition.blockedReason ?? 'it exposes credentials'}.`,
        { details: { action: definition.name } },
      );
    }
    const declared =
      this.tool.whmcsActions.includes(definition.name) ||
      (definition.kind === 'read' && this.tool.whmcsActions.includes(ANY_READ_ACTION));
    if (!declared) {
      throw new WhmcsMcpError('forbidden', `${this.tool.name} may not call ${definition.name}.`, {
        internal: `tool ${this.tool.name} called undeclared action ${definition.name}`,
      });
    }
    if (definition.kind === 'write' && !this.allowWrites) {
      throw new WhmcsMcpError(
        'approval_required',
        `${definition.name} changes WHMCS and only runs through an approved write intent.`,
        { details: { action: definition.name } },
      );
    }
    try {
      const reply = await this.client.call(definition.name, params, { signal: this.signal });
      this.capabilities.record(definition.name, 'allowed');
      return reply;
    } catch (error) {
      if (error instanceof WhmcsMcpError && error.code === 'forbidden') {
        this.capabilities.record(definition.name, 'forbidden');
      }
      throw error;
    }
  }
}
