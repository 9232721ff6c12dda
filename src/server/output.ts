/**
 * The last look at data before it leaves: drop any field whose name says it holds a secret (in
 * case a schema ever lets one through) and mask card numbers hiding in free text.
 */
import { maskCardNumbers } from '../logging/card-scan.js';

const SECRET_FIELD =
  /^(password\d*|passwd|pass|secret|securityqans|securityqanswer|security_answer|cardnum|cardnumber|ccnumber|cccvv|cvv|bankacct|bankcode|remote_?token|gateway_?token|token|api_?key|accesskey|access_key|identifier)$/i;

export function redactOutput(value: unknown): unknown {
  if (typeof value === 'string') return maskCardNumbers(value);
  if (Array.isArray(value)) return value.map(redactOutput);
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (SECRET_FIELD.test(key)) continue;
      result[key] = redactOutput(child);
    }
    return result;
  }
  return value;
}
