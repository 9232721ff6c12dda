// Valid arguments for any read tool, built from its published inputSchema and the ids discovery
// found, so a tool added to the server later is still called by the contract layer.

/** Argument names that carry an entity id, and the discovered id they take. */
const ID_ARGUMENTS = {
  client_id: 'client',
  invoice_id: 'invoice',
  service_id: 'service',
  domain_id: 'domain',
  ticket_id: 'ticket',
  quote_id: 'quote',
  order_id: 'order',
  department_id: 'department',
};

/** Tools whose useful arguments a schema cannot tell (a name to look up, one of two ids). */
const KNOWN_ARGUMENTS = {
  check_domain_availability: (ids) => ({ domain: ids.domainName ?? 'example.com' }),
  whmcs_describe_action: () => ({ action: 'GetInvoice' }),
  whmcs_call: () => ({ action: 'GetCurrencies', params: {} }),
  get_quotes: (ids) =>
    ids.client === undefined ? { missing: 'client' } : { client_id: ids.client, limit: 5 },
  get_invoice: (ids) => (ids.invoice === undefined ? { missing: 'invoice' } : { invoice_id: ids.invoice }),
  get_client_details: (ids) => (ids.client === undefined ? { missing: 'client' } : { client_id: ids.client }),
};

function today() {
  return new Date().toISOString().slice(0, 10);
}

/** A minimal valid value for one JSON Schema, or undefined when none can be made up. */
export function sampleValue(schema) {
  if (!schema || typeof schema !== 'object') return undefined;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) {
    for (const variant of variants) {
      const value = sampleValue(variant);
      if (value !== undefined) return value;
    }
    return undefined;
  }
  const type = Array.isArray(schema.type) ? schema.type.find((entry) => entry !== 'null') : schema.type;
  switch (type) {
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? Math.max(schema.minimum, 1) : 1;
    case 'boolean':
      return false;
    case 'string': {
      if (schema.pattern === '^\\d{4}-\\d{2}-\\d{2}$' || /\(YYYY-MM-DD\)/.test(schema.description ?? ''))
        return today();
      if (schema.pattern === '^[A-Za-z]{3}$') return 'USD';
      if (typeof schema.pattern === 'string') return undefined;
      return 'a'.repeat(Math.max(1, schema.minLength ?? 1));
    }
    case 'array': {
      const item = sampleValue(schema.items);
      const count = schema.minItems ?? 0;
      if (count > 0 && item === undefined) return undefined;
      return Array.from({ length: count }, () => item);
    }
    case 'object':
      return {};
    default:
      return undefined;
  }
}

/**
 * Arguments for one call of `tool`: `{ args }`, or `{ missing }` naming what discovery did not
 * find (that tool is then skipped, not failed).
 */
export function argumentsFor(tool, ids) {
  const known = KNOWN_ARGUMENTS[tool.name]?.(ids);
  if (known?.missing) return { missing: known.missing };
  if (known) return { args: known };
  const schema = tool.inputSchema ?? {};
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const args = {};
  for (const [name, property] of Object.entries(properties)) {
    const idKind = ID_ARGUMENTS[name];
    if (idKind !== undefined) {
      const id = ids[idKind];
      if (id !== undefined) args[name] = id;
      else if (required.has(name)) return { missing: idKind };
      continue;
    }
    if (name === 'limit') {
      args.limit = 5;
      continue;
    }
    if (!required.has(name)) continue;
    const value = sampleValue(property);
    if (value === undefined) return { missing: `a value for ${name}` };
    args[name] = value;
  }
  return { args };
}

/** Arguments for a prompt (all strings), from its declared arguments and the discovered ids. */
export function promptArgumentsFor(prompt, ids) {
  const args = {};
  for (const argument of prompt.arguments ?? []) {
    const idKind = ID_ARGUMENTS[argument.name];
    if (idKind !== undefined && ids[idKind] !== undefined) {
      args[argument.name] = String(ids[idKind]);
    } else if (argument.required) {
      if (idKind !== undefined) return { missing: idKind };
      if (argument.name === 'month') args.month = today().slice(0, 7);
      else if (argument.name === 'days') args.days = '30';
      else return { missing: `a value for ${argument.name}` };
    }
  }
  return { args };
}
