/**
 * Client write façades: create a client, update its contact details, add an admin note. Admin
 * only: each names or creates one client account outside any client's own reach.
 */
import { z } from 'zod';
import { entityId } from '../schemas.js';
import { assertClientVisible } from '../shared/ownership.js';
import { defineWriteFacade } from './facade.js';
import { countryInput, emailInput, lineText, messageText, phoneInput } from './inputs.js';

const contactFields = {
  firstname: lineText('First name.'),
  lastname: lineText('Last name.'),
  companyname: lineText('Company name.', 200),
  email: emailInput.describe('E-mail address; WHMCS refuses one another client already uses.'),
  address1: lineText('Address line 1.', 200),
  address2: lineText('Address line 2.', 200),
  city: lineText('City.'),
  state: lineText('State or region.'),
  postcode: lineText('Postal code.', 20),
  country: countryInput,
  phonenumber: phoneInput,
  tax_id: lineText('Tax id (VAT number).', 50),
};

const CONTACT_PARAMS = Object.keys(contactFields) as Array<keyof typeof contactFields>;

export const createClient = defineWriteFacade({
  name: 'create_client',
  title: 'Create a client',
  description:
    'Drafts a new client account (WHMCS AddClient) with its contact details, for approval. WHMCS creates the login user with it and e-mails a welcome message unless send_welcome_email is false; no password is set here: the client sets one through the password reset. Returns the intent: pending with its impact until a person approves it, or executed when policy approved it.',
  toolset: 'clients',
  action: 'AddClient',
  clientMode: 'admin_only',
  reads: [],
  fields: {
    firstname: contactFields.firstname,
    lastname: contactFields.lastname,
    companyname: contactFields.companyname.optional(),
    email: contactFields.email,
    address1: contactFields.address1,
    address2: contactFields.address2.optional(),
    city: contactFields.city,
    state: contactFields.state,
    postcode: contactFields.postcode,
    country: contactFields.country,
    phonenumber: contactFields.phonenumber,
    tax_id: contactFields.tax_id.optional(),
    currency_id: entityId('Currency id (get_currencies); the default currency when omitted.').optional(),
    group_id: entityId('Client group id.').optional(),
    language: z
      .string()
      .min(2)
      .max(40)
      .regex(/^[a-z_-]+$/, 'a WHMCS language name such as english or french')
      .optional()
      .describe('Language as WHMCS names it: english, french, german, ...'),
    notes: messageText('Admin-only notes on the client profile.', 5000).optional(),
    marketing_opt_in: z.boolean().optional().describe('Whether the client receives marketing e-mails.'),
    send_welcome_email: z
      .boolean()
      .optional()
      .describe('Whether WHMCS sends the welcome e-mail (default true).'),
  },
  async params(args) {
    return {
      firstname: args.firstname,
      lastname: args.lastname,
      companyname: args.companyname,
      email: args.email,
      address1: args.address1,
      address2: args.address2,
      city: args.city,
      state: args.state,
      postcode: args.postcode,
      country: args.country,
      phonenumber: args.phonenumber,
      tax_id: args.tax_id,
      currency: args.currency_id,
      groupid: args.group_id,
      language: args.language,
      notes: args.notes,
      marketingoptin: args.marketing_opt_in,
      noemail: args.send_welcome_email === undefined ? undefined : !args.send_welcome_email,
    };
  },
});

export const updateClient = defineWriteFacade({
  name: 'update_client',
  title: "Update a client's contact details",
  description:
    "Drafts a change to a client's contact details (WHMCS UpdateClient): name, company, e-mail, address, phone, tax id. Only the fields given change. Status, payment and card fields are not changed here. Returns the intent: pending with its impact until a person approves it.",
  toolset: 'clients',
  action: 'UpdateClient',
  clientMode: 'admin_only',
  reads: ['GetClientsDetails'],
  fields: {
    client_id: entityId('Client id to update.'),
    ...Object.fromEntries(CONTACT_PARAMS.map((name) => [name, contactFields[name].optional()])),
  } as { client_id: ReturnType<typeof entityId> } & {
    [Name in keyof typeof contactFields]: z.ZodOptional<(typeof contactFields)[Name]>;
  },
  check(args) {
    return CONTACT_PARAMS.some((name) => args[name] !== undefined)
      ? []
      : [{ field: null, message: `give at least one field to change (${CONTACT_PARAMS.join(', ')})` }];
  },
  async params(args, ctx) {
    await assertClientVisible(ctx, args.client_id);
    const params: Record<string, unknown> = { clientid: args.client_id };
    for (const name of CONTACT_PARAMS) params[name] = args[name];
    return params;
  },
});

export const addClientNote = defineWriteFacade({
  name: 'add_client_note',
  title: 'Add a client note',
  description:
    "Drafts an admin note on a client's profile (WHMCS AddClientNote); a sticky note shows across the client's account and tickets in the admin area. Returns the intent: executed when policy auto-approves low-risk writes, otherwise pending approval.",
  toolset: 'clients',
  action: 'AddClientNote',
  clientMode: 'admin_only',
  reads: ['GetClientsDetails'],
  fields: {
    client_id: entityId('Client id the note is for.'),
    note: messageText('The note text.', 5000),
    sticky: z.boolean().optional().describe('Show the note throughout the admin area (default false).'),
  },
  async params(args, ctx) {
    await assertClientVisible(ctx, args.client_id);
    return { userid: args.client_id, notes: args.note, sticky: args.sticky };
  },
});

export const clientWriteTools = [createClient, updateClient, addClientNote];
