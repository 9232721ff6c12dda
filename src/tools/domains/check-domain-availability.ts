import { z } from 'zod';
import { WhmcsMcpError } from '../../errors.js';
import { defineTool } from '../define.js';
import { text } from '../shared/fields.js';
import { domainNameInput, parseDomainName } from './domain-name.js';

const unsupportedTld = /not supported for whois/i;

export const checkDomainAvailability = defineTool({
  name: 'check_domain_availability',
  title: 'Check domain availability',
  description:
    'Asks WHOIS (through WHMCS) whether a domain name can be registered. Accepts internationalized names in Unicode (bücher.de) or punycode (xn--bcher-kva.de). `available` is null when WHMCS cannot look the TLD up. Use get_tld_pricing for the price.',
  toolset: 'domains',
  kind: 'read',
  risk: 'low',
  clientMode: 'public',
  whmcsActions: ['DomainWhois'],
  input: z.strictObject({
    domain: domainNameInput(
      'The full domain name to check, e.g. example.com (no scheme, path or www needed).',
    ),
  }),
  output: z.object({
    domain: z.string().describe('The name in Unicode form, lower case.'),
    ascii_domain: z.string().describe('The name in ASCII (punycode) form, as registrars see it.'),
    available: z.boolean().nullable().describe('True when it can be registered; null when unknown.'),
    status: z
      .string()
      .describe('WHOIS status as WHMCS reports it (available, unavailable), or tld_not_supported.'),
  }),
  async handler(input, ctx) {
    const name = parseDomainName(input.domain);
    if ('problem' in name) {
      // The input schema already refused it; this keeps the types honest.
      throw new WhmcsMcpError('invalid_input', `domain: the domain name ${name.problem}.`);
    }
    try {
      const reply = await ctx.whmcs.call('DomainWhois', { domain: name.ascii });
      const status = (text(reply.status) ?? 'unknown').toLowerCase();
      const available = status === 'available' ? true : status === 'unavailable' ? false : null;
      return { domain: name.unicode, ascii_domain: name.ascii, available, status };
    } catch (error) {
      if (error instanceof WhmcsMcpError && unsupportedTld.test(error.message)) {
        return {
          domain: name.unicode,
          ascii_domain: name.ascii,
          available: null,
          status: 'tld_not_supported',
        };
      }
      throw error;
    }
  },
  summarize(result) {
    const answer =
      result.available === true
        ? 'is available to register'
        : result.available === false
          ? 'is already registered'
          : `could not be checked (${result.status})`;
    return `${result.domain} ${answer}.`;
  },
});
