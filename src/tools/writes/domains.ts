/**
 * Domain write façades: the registrar commands WHMCS sends for a domain. Registering, renewing and
 * transferring spend money at the registrar; changing nameservers moves where the domain points.
 * Admin only. An EPP code is a credential: it goes to WHMCS and never comes back out.
 */
import { z } from 'zod';
import { entityId } from '../schemas.js';
import { loadDomain } from '../shared/ownership.js';
import { defineWriteFacade } from './facade.js';
import { hostNameInput } from './inputs.js';

export const registerDomain = defineWriteFacade({
  name: 'register_domain',
  title: 'Register a domain',
  description:
    "Drafts sending the register command for a domain already on a client's account (WHMCS DomainRegister), typically one from an accepted order still pending registration. The registrar charges for it. Returns the intent, pending approval.",
  toolset: 'domains',
  action: 'DomainRegister',
  clientMode: 'admin_only',
  reads: ['GetClientsDomains'],
  fields: {
    domain_id: entityId('Domain id (from list_client_domains) to register.'),
  },
  async params(args, ctx) {
    await loadDomain(ctx, args.domain_id);
    return { domainid: args.domain_id };
  },
});

export const renewDomain = defineWriteFacade({
  name: 'renew_domain',
  title: 'Renew a domain',
  description:
    "Drafts sending the renew command for a domain to its registrar (WHMCS DomainRenew) for the given number of years (the domain's registration period when omitted). The registrar charges for it. Returns the intent, pending approval.",
  toolset: 'domains',
  action: 'DomainRenew',
  clientMode: 'admin_only',
  reads: ['GetClientsDomains'],
  fields: {
    domain_id: entityId('Domain id to renew.'),
    years: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe("Years to renew for, 1 to 10; the domain's registration period when omitted."),
  },
  async params(args, ctx) {
    await loadDomain(ctx, args.domain_id);
    return { domainid: args.domain_id, regperiod: args.years };
  },
});

export const transferDomain = defineWriteFacade({
  name: 'transfer_domain',
  title: 'Transfer a domain in',
  description:
    'Drafts sending the transfer command for a domain to its registrar (WHMCS DomainTransfer), with the EPP (authorization) code from the losing registrar when given. The EPP code is a credential: it is sent to WHMCS and never shown again (the intent shows it as [redacted]). The registrar charges for the transfer. Returns the intent, pending approval.',
  toolset: 'domains',
  action: 'DomainTransfer',
  clientMode: 'admin_only',
  reads: ['GetClientsDomains'],
  fields: {
    domain_id: entityId('Domain id to transfer in.'),
    epp_code: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\x21-\x7e]+$/, 'printable characters without spaces')
      .optional()
      .describe('EPP / authorization code from the current registrar; never echoed back.'),
  },
  async params(args, ctx) {
    await loadDomain(ctx, args.domain_id);
    return { domainid: args.domain_id, eppcode: args.epp_code };
  },
});

export const updateDomainNameservers = defineWriteFacade({
  name: 'update_domain_nameservers',
  title: "Change a domain's nameservers",
  description:
    "Drafts replacing a registered domain's nameservers at its registrar (WHMCS DomainUpdateNameservers) with 2 to 5 host names, in order. Wrong nameservers take the domain's website and e-mail offline, so the impact shows the change for review. Returns the intent, pending approval.",
  toolset: 'domains',
  action: 'DomainUpdateNameservers',
  clientMode: 'admin_only',
  reads: ['GetClientsDomains'],
  fields: {
    domain_id: entityId('Active domain id whose nameservers change.'),
    nameservers: z
      .array(hostNameInput)
      .min(2)
      .max(5)
      .describe('2 to 5 nameserver host names in order, e.g. ["ns1.example.net", "ns2.example.net"].'),
  },
  check(args) {
    return new Set(args.nameservers).size === args.nameservers.length
      ? []
      : [{ field: 'nameservers', message: 'each nameserver may appear once' }];
  },
  async params(args, ctx) {
    await loadDomain(ctx, args.domain_id);
    const params: Record<string, unknown> = { domainid: args.domain_id };
    args.nameservers.forEach((host, index) => {
      params[`ns${index + 1}`] = host;
    });
    return params;
  },
});

export const domainWriteTools = [registerDomain, renewDomain, transferDomain, updateDomainNameservers];
