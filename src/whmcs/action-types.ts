/**
 * Types of the WHMCS action table. The data lives in `generated/action-table.ts`, produced by
 * `scripts/generate-action-table.mjs` from `data/whmcs-catalog.json`; these types are hand-written
 * so the rest of the code does not depend on generator output for its shapes.
 */

/** Parameter types as the WHMCS documentation names them, reduced to what validation needs. */
export type ActionParamType =
  | 'string'
  | 'int'
  | 'float'
  | 'bool'
  | 'datetime'
  | 'array'
  | 'string[]'
  | 'int[]'
  | 'float[]'
  | 'bool[]'
  | 'mixed';

export interface ActionParam {
  name: string;
  type: ActionParamType;
  required: boolean;
  /** One line from the documentation, for `whmcs_describe_action`. */
  description: string;
  /** Documented but removed in newer WHMCS versions (struck through in the docs). */
  deprecated?: boolean;
}

export type ActionKind = 'read' | 'write';

export type RiskClass = 'low' | 'medium' | 'high';

/** What a write does beyond changing a row; drives approval policy and auto-approval refusal. */
export type EffectTag =
  'money' | 'destructive' | 'provisioning' | 'registrar_spend' | 'customer_email' | 'configuration_access';

export interface ActionDefinition {
  name: string;
  summary: string;
  kind: ActionKind;
  /** For writes; reads are always `low`. */
  risk: RiskClass;
  effects: readonly EffectTag[];
  /** Returns or sets credentials (DecryptPassword, GetClientPassword, ...): never callable. */
  blocked: boolean;
  /** Why it is blocked, for the refusal message. */
  blockedReason?: string;
  params: readonly ActionParam[];
  /** Paged with limitstart/limitnum. */
  paged: boolean;
  /** Documented error messages, used by the sandbox for missing-parameter replies. */
  errors: readonly string[];
}
