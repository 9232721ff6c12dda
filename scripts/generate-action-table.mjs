#!/usr/bin/env node
// Generates src/whmcs/generated/action-table.ts from data/whmcs-catalog.json and the hand-authored
// policy below (kind, risk, effects, blocked actions, parameter corrections).
//   node scripts/generate-action-table.mjs           write the table
//   node scripts/generate-action-table.mjs --check   exit 1 when the committed table is stale
// The policy tables are the reviewed part: a change to them changes what agents may do.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const CATALOG_PATH = fileURLToPath(new URL('../data/whmcs-catalog.json', import.meta.url));
const OUTPUT_PATH = fileURLToPath(new URL('../src/whmcs/generated/action-table.ts', import.meta.url));
const OUTPUT_NAME = 'src/whmcs/generated/action-table.ts';

/** Canonical order of effect tags in the output (matches EffectTag in src/whmcs/action-types.ts). */
export const EFFECT_ORDER = [
  'money',
  'destructive',
  'provisioning',
  'registrar_spend',
  'customer_email',
  'configuration_access',
];

const RISK_ORDER = ['low', 'medium', 'high'];

// ---------------------------------------------------------------------------------------------
// Reads: actions that change nothing in WHMCS or at a registrar. Listed by name rather than
// guessed from a prefix so that a new catalog action must be classified by a person.
// ---------------------------------------------------------------------------------------------
export const READ_ACTIONS = [
  'DecryptPassword', // changes nothing, but blocked below
  'DomainGetLockingStatus',
  'DomainGetNameservers',
  'DomainGetWhoisInfo',
  'DomainWhois',
  'EncryptPassword', // changes nothing, but blocked below
  'GetActivityLog',
  'GetAdminDetails',
  'GetAdminUsers',
  'GetAffiliates',
  'GetAnnouncements',
  'GetAutomationLog',
  'GetCancelledPackages',
  'GetClientGroups',
  'GetClientPassword',
  'GetClients',
  'GetClientsAddons',
  'GetClientsDetails',
  'GetClientsDomains',
  'GetClientsProducts',
  'GetConfigurationValue',
  'GetContacts',
  'GetCredits',
  'GetCurrencies',
  'GetEmailTemplates',
  'GetEmails',
  'GetHealthStatus',
  'GetInvoice',
  'GetInvoices',
  'GetModuleConfigurationParameters',
  'GetModuleQueue',
  'GetOrderStatuses',
  'GetOrders',
  'GetPayMethods',
  'GetPaymentMethods',
  'GetPermissionsList',
  'GetProducts',
  'GetProject',
  'GetProjects',
  'GetPromotions',
  'GetQuotes',
  'GetRegistrars',
  'GetServers',
  'GetStaffOnline',
  'GetStats',
  'GetSupportDepartments',
  'GetSupportStatuses',
  'GetTLDPricing',
  'GetTicket',
  'GetTicketAttachment',
  'GetTicketCounts',
  'GetTicketNotes',
  'GetTicketPredefinedCats',
  'GetTicketPredefinedReplies',
  'GetTickets',
  'GetToDoItemStatuses',
  'GetToDoItems',
  'GetTransactions',
  'GetUserPermissions',
  'GetUsers',
  'ListOAuthCredentials',
  'ValidateLogin', // checks a password without changing state, but blocked below
  'WhmcsDetails',
];

// ---------------------------------------------------------------------------------------------
// Writes: [risk, effects]. Rules the generator enforces: destructive or configuration_access =>
// high; money => at least medium; low only without effect tags.
// ---------------------------------------------------------------------------------------------
/** @type {Record<string, [string, string[]]>} */
export const WRITE_POLICY = {
  AcceptOrder: ['high', ['provisioning', 'registrar_spend', 'customer_email']], // provisions and registers by default
  AcceptQuote: ['medium', ['money']], // turns the quote into an invoice
  ActivateModule: ['high', ['configuration_access']],
  AddAnnouncement: ['medium', []], // published on the public client area
  AddBannedIp: ['high', ['configuration_access']], // can lock clients or staff out
  AddBillableItem: ['medium', ['money']],
  AddCancelRequest: ['high', ['destructive']], // Immediate: terminated on the next cron run
  AddClient: ['medium', ['customer_email']], // welcome e-mail unless noemail
  AddClientNote: ['low', []],
  AddContact: ['medium', []], // a contact can be sent the client's invoices and notices
  AddCredit: ['medium', ['money']],
  AddInvoicePayment: ['medium', ['money', 'customer_email']], // payment confirmation e-mail unless noemail
  AddOrder: ['medium', ['money', 'customer_email']], // creates the order invoice and confirmation e-mail
  AddPayMethod: ['high', ['configuration_access']],
  AddProduct: ['high', ['configuration_access']],
  AddProjectMessage: ['low', []],
  AddProjectTask: ['low', []],
  AddTicketNote: ['low', []], // staff-only note
  AddTicketReply: ['medium', ['customer_email']], // the reply is mailed to the ticket owner unless noemail
  AddTransaction: ['medium', ['money']], // refunds are recorded here as amountout
  AddUser: ['high', ['configuration_access']], // creates a login that can be given access to clients
  AffiliateActivate: ['medium', []], // the client's referrals start earning commission
  ApplyCredit: ['medium', ['money', 'customer_email']], // payment e-mail when the invoice becomes paid
  BlockTicketSender: ['high', ['destructive']], // with delete the ticket is deleted
  CancelOrder: ['high', ['money', 'destructive']], // cancelsub ends the gateway subscription
  CapturePayment: ['high', ['money', 'customer_email']], // charges the client's card at the gateway
  CloseClient: ['high', ['money', 'destructive']], // cancels services, domains, unpaid invoices
  CreateClientInvite: ['high', ['customer_email', 'configuration_access']], // grants access to the client
  CreateInvoice: ['medium', ['money', 'customer_email']], // sendinvoice mails it
  CreateOAuthCredential: ['high', ['configuration_access']],
  CreateOrUpdateTLD: ['high', ['configuration_access']], // TLD pricing and selling rules
  CreateProject: ['low', []],
  CreateQuote: ['low', []], // a proposal; nothing is owed until it is accepted
  CreateSsoToken: ['high', ['configuration_access']],
  DeactivateModule: ['high', ['configuration_access']],
  DeleteAnnouncement: ['high', ['destructive']],
  DeleteClient: ['high', ['money', 'destructive']], // deletetransactions wipes payment history
  DeleteContact: ['high', ['destructive']],
  DeleteOAuthCredential: ['high', ['destructive', 'configuration_access']],
  DeleteOrder: ['high', ['destructive']],
  DeletePayMethod: ['high', ['destructive', 'configuration_access']],
  DeleteProjectTask: ['high', ['destructive']],
  DeleteQuote: ['high', ['destructive']],
  DeleteTicket: ['high', ['destructive']],
  DeleteTicketNote: ['high', ['destructive']],
  DeleteTicketReply: ['high', ['destructive']],
  DeleteUserClient: ['high', ['destructive', 'configuration_access']], // removes a user's access to a client
  DomainRegister: ['high', ['registrar_spend']],
  DomainRelease: ['high', ['destructive']], // the domain leaves this registrar account
  DomainRenew: ['high', ['registrar_spend']],
  DomainRequestEPP: ['high', ['customer_email']], // the registrar may mail the code to the registrant
  DomainToggleIdProtect: ['medium', ['registrar_spend']], // some registrars charge for ID protection
  DomainTransfer: ['high', ['registrar_spend']],
  DomainUpdateLockingStatus: ['medium', []], // unlocking lets the domain be transferred away
  DomainUpdateNameservers: ['medium', []], // changes where the domain resolves
  DomainUpdateWhoisInfo: ['high', []], // changes the registrant of record
  EndTaskTimer: ['low', []],
  FraudOrder: ['high', ['money', 'destructive']], // cancelsub ends the gateway subscription
  GenInvoices: ['high', ['money', 'customer_email']], // without ids: every due item of every client
  LogActivity: ['low', []],
  MergeTicket: ['high', ['destructive']], // merged tickets cannot be split again
  ModuleChangePackage: ['medium', ['provisioning']],
  ModuleChangePw: ['medium', ['provisioning']],
  ModuleCreate: ['medium', ['provisioning']],
  ModuleCustom: ['high', ['provisioning']], // any module function (reboot, reinstall...)
  ModuleSuspend: ['medium', ['provisioning']],
  ModuleTerminate: ['high', ['destructive', 'provisioning']],
  ModuleUnsuspend: ['medium', ['provisioning']],
  OpenTicket: ['medium', ['customer_email']], // ticket-opened e-mail unless noemail
  OrderFraudCheck: ['medium', []], // queries the fraud service (may bill per check) and stores the result
  PendingOrder: ['medium', []], // puts a cancelled or fraud order back in the acceptance queue
  ResetPassword: ['medium', ['customer_email']],
  SendAdminEmail: ['low', []], // goes to staff only
  SendEmail: ['medium', ['customer_email']],
  SendQuote: ['medium', ['customer_email']],
  SetConfigurationValue: ['high', ['configuration_access']],
  StartTaskTimer: ['low', []],
  TriggerNotificationEvent: ['low', []], // goes to the staff notification channels
  UpdateAdminNotes: ['low', []], // the API admin's own notepad
  UpdateAnnouncement: ['medium', []], // published on the public client area
  UpdateClient: ['medium', []], // status=Closed, clearcreditcard: tools should limit fields
  UpdateClientAddon: ['medium', ['money']], // setup fee and recurring amount
  UpdateClientDomain: ['medium', ['money']], // recurring amount and due dates
  UpdateClientProduct: ['medium', ['money']], // first payment and recurring amounts
  UpdateContact: ['medium', []],
  UpdateInvoice: ['medium', ['money', 'customer_email']], // publishandsendemail mails it
  UpdateModuleConfiguration: ['high', ['configuration_access']],
  UpdateOAuthCredential: ['high', ['configuration_access']],
  UpdatePayMethod: ['high', ['configuration_access']],
  UpdateProject: ['low', []],
  UpdateProjectTask: ['low', []],
  UpdateQuote: ['low', []],
  UpdateTicket: ['medium', []], // can move a ticket, and its conversation, to another client
  UpdateTicketReply: ['low', []],
  UpdateToDoItem: ['low', []],
  UpdateTransaction: ['medium', ['money']],
  UpdateUser: ['medium', []], // changing the login e-mail hands the account to whoever owns it
  UpdateUserPermissions: ['high', ['configuration_access']],
  UpgradeProduct: ['medium', ['money']], // creates the upgrade order and invoice unless calconly
};

// ---------------------------------------------------------------------------------------------
// Blocked: never callable, whatever the mode. Each was checked against the catalog's example
// reply, response fields or parameters.
// ---------------------------------------------------------------------------------------------
export const BLOCKED_ACTIONS = {
  AddPayMethod: 'It takes card and bank account numbers; payment card data must never pass through an agent.',
  CreateOAuthCredential: 'Its reply carries the new OAuth client secret.',
  CreateSsoToken:
    'Its reply carries a single sign-on token that logs in as a client or user without a password.',
  DecryptPassword: 'Its reply is the plain text of an encrypted WHMCS value such as a password.',
  DomainRequestEPP:
    "Its reply can carry the domain's EPP transfer code, which lets whoever holds it move the domain away.",
  EncryptPassword:
    'It encrypts any text with the installation key; an encryption oracle must not be reachable.',
  GetClientPassword: "Its reply carries the client's stored password hash.",
  ListOAuthCredentials: 'Its reply carries the client secret of every OAuth credential.',
  ModuleChangePw:
    'It sets a service password chosen by the caller; passwords must not pass through an agent.',
  UpdateOAuthCredential: 'Its reply carries a new OAuth client secret when resetSecret is set.',
  UpdatePayMethod:
    'It takes card and bank account numbers; payment card data must never pass through an agent.',
  ValidateLogin:
    'It tells whether a password is right (a password oracle) and replies with a login session token.',
};

// ---------------------------------------------------------------------------------------------
// Parameter corrections where the catalog is wrong. The documentation's "int|string" lost its
// pipe in the catalog (the type became `int\` and the description became "string").
// ---------------------------------------------------------------------------------------------
export const PARAM_OVERRIDES = {
  ApplyCredit: {
    amount: { type: 'float', description: 'The amount of credit to apply to the invoice.' },
  },
  DomainTransfer: {
    // EPP codes are mixed letters, digits and symbols; the documentation's int is a mistake.
    eppcode: { type: 'string' },
  },
  GetClientsAddons: {
    serviceid: { type: 'string', description: 'A service id, or several ids separated by commas.' },
  },
  GetProducts: {
    pid: { type: 'string', description: 'A product id, or several ids separated by commas.' },
  },
};

/**
 * Parameters documented with an `x` suffix that stand for a numbered family: CreateInvoice takes
 * itemdescription1, itemamount1, itemtaxed1, itemdescription2, ...
 */
export const NUMBERED_PARAMS = {
  CreateInvoice: ['itemamountx', 'itemdescriptionx', 'itemtaxedx'],
};

/** Parameters that carry a secret (passwords, card data, EPP codes): never logged, audited or echoed. */
export const CREDENTIAL_PARAMS = {
  AcceptOrder: ['servicepassword'],
  AddClient: ['cardnum', 'cvv', 'expdate', 'password2', 'securityqans'],
  AddOrder: ['eppcode', 'rootpw'],
  AddPayMethod: ['bank_account', 'card_expiry', 'card_number'],
  AddUser: ['password2'],
  CapturePayment: ['cvv'],
  DecryptPassword: ['password2'],
  DomainTransfer: ['eppcode'],
  EncryptPassword: ['password2'],
  ModuleChangePw: ['servicepassword'],
  UpdateClient: ['bankacct', 'cardnum', 'cvv', 'expdate'],
  UpdateClientProduct: ['servicepassword'],
  UpdatePayMethod: ['bank_account', 'card_expiry', 'card_number'],
  ValidateLogin: ['password2'],
};

const PARAM_TYPES = new Set([
  'string',
  'int',
  'float',
  'bool',
  'datetime',
  'array',
  'string[]',
  'int[]',
  'float[]',
  'bool[]',
  'mixed',
]);

const STRUCK = /^~~(.*)~~$/s;

function compareNames(a, b) {
  // Code-unit order, not localeCompare: the output must not depend on the machine's ICU data.
  return a < b ? -1 : a > b ? 1 : 0;
}

function oneLine(text) {
  return String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Strips the documentation's strike-through (`~~name~~`), which marks a removed parameter. */
export function normalizeParamName(rawName) {
  const struck = STRUCK.exec(rawName);
  return struck ? struck[1].trim() : rawName.trim();
}

/**
 * Maps the catalog's type spellings onto ActionParamType: `~~string~~` is a deprecated string,
 * `int\` / `float\` / `\datetime` carry a stray backslash from the documentation's table markup.
 */
export function normalizeParamType(rawType) {
  let type = String(rawType).trim();
  let deprecated = false;
  const struck = STRUCK.exec(type);
  if (struck) {
    deprecated = true;
    type = struck[1].trim();
  }
  type = type.replace(/\\/g, '').trim().toLowerCase();
  if (!PARAM_TYPES.has(type)) {
    throw new Error(`unknown parameter type ${JSON.stringify(rawType)} in the catalog`);
  }
  return { type, deprecated };
}

function normalizeParam(actionName, raw) {
  const name = normalizeParamName(raw.name);
  const { type, deprecated: struckType } = normalizeParamType(raw.type);
  const deprecated = struckType || STRUCK.test(raw.name);
  const override = PARAM_OVERRIDES[actionName]?.[name] ?? {};
  const param = {
    name,
    type: override.type ?? type,
    required: Boolean(raw.required),
    description: oneLine(override.description ?? raw.description.replace(/~~/g, '')),
  };
  if (deprecated) param.deprecated = true;
  return param;
}

function fail(message) {
  throw new Error(`generate-action-table: ${message}`);
}

function checkPolicyTables(catalogNames) {
  const catalog = new Set(catalogNames);
  const reads = new Set(READ_ACTIONS);
  if (reads.size !== READ_ACTIONS.length) fail('READ_ACTIONS lists an action twice');
  for (const name of catalogNames) {
    const isRead = reads.has(name);
    const isWrite = Object.hasOwn(WRITE_POLICY, name);
    if (isRead === isWrite) {
      fail(
        `${name} must be in exactly one of READ_ACTIONS and WRITE_POLICY (found in ${isRead ? 'both' : 'neither'})`,
      );
    }
  }
  const tables = [
    ['READ_ACTIONS', READ_ACTIONS],
    ['WRITE_POLICY', Object.keys(WRITE_POLICY)],
    ['BLOCKED_ACTIONS', Object.keys(BLOCKED_ACTIONS)],
    ['PARAM_OVERRIDES', Object.keys(PARAM_OVERRIDES)],
    ['NUMBERED_PARAMS', Object.keys(NUMBERED_PARAMS)],
    ['CREDENTIAL_PARAMS', Object.keys(CREDENTIAL_PARAMS)],
  ];
  for (const [table, names] of tables) {
    for (const name of names) {
      if (!catalog.has(name)) fail(`${table} names ${name}, which is not in the catalog`);
    }
  }
  for (const [name, [risk, effects]] of Object.entries(WRITE_POLICY)) {
    if (!RISK_ORDER.includes(risk)) fail(`${name}: unknown risk ${risk}`);
    for (const effect of effects) {
      if (!EFFECT_ORDER.includes(effect)) fail(`${name}: unknown effect ${effect}`);
    }
    if (new Set(effects).size !== effects.length) fail(`${name}: an effect is listed twice`);
    const needsHigh = effects.includes('destructive') || effects.includes('configuration_access');
    if (needsHigh && risk !== 'high') {
      fail(`${name}: destructive or configuration_access writes must be high`);
    }
    if (effects.includes('money') && risk === 'low') fail(`${name}: money writes must be at least medium`);
    if (risk === 'low' && effects.length > 0) fail(`${name}: a low write cannot carry effect tags`);
  }
  for (const [name, reason] of Object.entries(BLOCKED_ACTIONS)) {
    if (oneLine(reason).length === 0) fail(`${name}: a blocked action needs a reason`);
  }
}

function checkParamNames(actionName, paramNames, params, tableName) {
  const documented = new Set(params.map((param) => param.name));
  for (const paramName of paramNames) {
    if (!documented.has(paramName)) {
      fail(`${tableName} names ${actionName}.${paramName}, which the catalog does not document`);
    }
  }
}

/** Builds the sorted action definitions from a parsed catalog; throws when policy and catalog disagree. */
export function buildActionTable(catalog) {
  const entries = Object.values(catalog.actions);
  const names = entries.map((entry) => entry.action);
  if (new Set(names.map((name) => name.toLowerCase())).size !== names.length) {
    fail('the catalog names an action twice (WHMCS action names are case-insensitive)');
  }
  checkPolicyTables(names);
  return entries
    .slice()
    .sort((a, b) => compareNames(a.action, b.action))
    .map((entry) => {
      const name = entry.action;
      const params = entry.request
        .filter((raw) => raw.name !== 'action')
        .map((raw) => normalizeParam(name, raw));
      checkParamNames(name, Object.keys(PARAM_OVERRIDES[name] ?? {}), params, 'PARAM_OVERRIDES');
      checkParamNames(name, NUMBERED_PARAMS[name] ?? [], params, 'NUMBERED_PARAMS');
      checkParamNames(name, CREDENTIAL_PARAMS[name] ?? [], params, 'CREDENTIAL_PARAMS');
      const write = WRITE_POLICY[name];
      const effects = write ? EFFECT_ORDER.filter((effect) => write[1].includes(effect)) : [];
      const paramNames = new Set(params.map((param) => param.name));
      const definition = {
        name,
        summary: oneLine(entry.summary),
        kind: write ? 'write' : 'read',
        risk: write ? write[0] : 'low',
        effects,
        blocked: Object.hasOwn(BLOCKED_ACTIONS, name),
      };
      if (definition.blocked) definition.blockedReason = oneLine(BLOCKED_ACTIONS[name]);
      definition.params = params;
      definition.paged = paramNames.has('limitstart') && paramNames.has('limitnum');
      definition.errors = (entry.errors ?? []).map(oneLine);
      return definition;
    });
}

function sortedRecord(record) {
  return Object.fromEntries(
    Object.keys(record)
      .sort(compareNames)
      .map((key) => [key, [...record[key]].sort(compareNames)]),
  );
}

/** Returns the full text of src/whmcs/generated/action-table.ts for a parsed catalog. */
export async function renderActionTable(catalog) {
  const table = buildActionTable(catalog);
  const source = [
    '// Generated by scripts/generate-action-table.mjs from data/whmcs-catalog.json: do not edit by hand.',
    '// Regenerate with `node scripts/generate-action-table.mjs` (verify with `--check`); the kind, risk,',
    '// effects and blocked policy lives in that script.',
    "import type { ActionDefinition } from '../action-types.js';",
    '',
    `/** All ${table.length} WHMCS API actions, sorted by name. */`,
    `export const ACTION_TABLE: readonly ActionDefinition[] = ${JSON.stringify(table)};`,
    '',
    '/** Documented `x`-suffixed parameters that stand for numbered ones (itemdescription1, ...). */',
    'export const NUMBERED_PARAMS: Readonly<Record<string, readonly string[]>> =',
    `  ${JSON.stringify(sortedRecord(NUMBERED_PARAMS))};`,
    '',
    '/** Parameters that carry a secret (passwords, card data, EPP codes): never logged, audited or echoed. */',
    'export const CREDENTIAL_PARAMS: Readonly<Record<string, readonly string[]>> =',
    `  ${JSON.stringify(sortedRecord(CREDENTIAL_PARAMS))};`,
    '',
  ].join('\n');
  const config = (await prettier.resolveConfig(OUTPUT_PATH)) ?? {};
  return prettier.format(source, { ...config, parser: 'typescript', filepath: OUTPUT_PATH });
}

export function readCatalog(path = CATALOG_PATH) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function firstDifferentLine(expected, actual) {
  const want = expected.split('\n');
  const have = actual.split('\n');
  for (let index = 0; index < Math.max(want.length, have.length); index += 1) {
    if (want[index] !== have[index]) return index + 1;
  }
  return -1;
}

/**
 * Compares a committed table with what the generator produces now. Returns whether it is up to
 * date and a message for a person.
 */
export async function checkCommittedTable(path = OUTPUT_PATH, catalog = readCatalog()) {
  const expected = await renderActionTable(catalog);
  let committed;
  try {
    committed = readFileSync(path, 'utf8');
  } catch {
    return {
      upToDate: false,
      message: `${OUTPUT_NAME} is missing; run: node scripts/generate-action-table.mjs`,
    };
  }
  if (committed === expected) return { upToDate: true, message: `${OUTPUT_NAME} is up to date` };
  return {
    upToDate: false,
    message:
      `${OUTPUT_NAME} differs from what data/whmcs-catalog.json and the policy in ` +
      `scripts/generate-action-table.mjs produce (first difference at line ` +
      `${firstDifferentLine(expected, committed)}); run: node scripts/generate-action-table.mjs`,
  };
}

async function main(argv) {
  if (argv.includes('--check')) {
    const { upToDate, message } = await checkCommittedTable();
    console.error(message);
    return upToDate ? 0 : 1;
  }
  writeFileSync(OUTPUT_PATH, await renderActionTable(readCatalog()));
  console.error(`wrote ${OUTPUT_NAME}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
