/** Client accounts in the sandbox: creation, updates, closing, notes, contacts, users and lists. */
import { describe, expect, it } from 'vitest';
import { callAction, type DirectParamValue } from '../../src/sandbox/actions/runner.js';
import { SEED_BASE_DATE, SEED_FACTS } from '../../src/sandbox/seed.js';
import { createSandboxState, type SandboxState } from '../../src/sandbox/state.js';

const demo = SEED_FACTS.demoClient;
const NOW = new Date(SEED_BASE_DATE);

function sandbox(): {
  state: SandboxState;
  call: (action: string, params?: Record<string, DirectParamValue>) => Promise<Record<string, unknown>>;
} {
  const state = createSandboxState({ clients: 15, seed: 11 });
  return {
    state,
    call: async (action, params = {}) => callAction(state, action, params, { now: () => NOW }),
  };
}

const NEW_CLIENT = {
  firstname: 'Ingrid',
  lastname: 'Ødegård',
  email: 'ingrid.odegard@example.no',
  address1: 'Bryggen 1',
  city: 'Bergen',
  state: 'Vestland',
  postcode: '5003',
  country: 'NO',
  phonenumber: '55 55 01 00',
  password2: 'a long passphrase',
  securityqid: 1,
  securityqans: 'Rex',
  customfields: Buffer.from('a:1:{i:2;s:7:"Podcast";}').toString('base64'),
};

describe('AddClient and GetClientsDetails', () => {
  it('creates an active client with an owner user, readable by id and by email, secrets never shown', async () => {
    const { call, state } = sandbox();
    const created = await call('AddClient', NEW_CLIENT);
    expect(created).toEqual({ result: 'success', clientid: String(state.clients.size) });
    const byEmail = await call('GetClientsDetails', { email: NEW_CLIENT.email });
    const client = byEmail.client as Record<string, unknown>;
    expect(client).toMatchObject({
      id: Number(created.clientid),
      fullname: 'Ingrid Ødegård',
      status: 'Active',
      credit: '0.00',
      countryname: 'Norway',
      phonenumberformatted: '+47.55550100',
      customfields2: 'Podcast',
      users: { user: [{ name: 'Ingrid Ødegård', email: NEW_CLIENT.email, is_owner: true }] },
    });
    const text = JSON.stringify(byEmail);
    expect(text).not.toContain('Rex');
    expect(text).not.toContain('a long passphrase');
    expect(state.clients.get(Number(created.clientid))?.securityAnswer).not.toBe('Rex');
  });

  it('refuses duplicates and missing fields with the documented wording', async () => {
    const { call } = sandbox();
    expect(await call('AddClient', { ...NEW_CLIENT, email: demo.email })).toEqual({
      result: 'error',
      message: 'The email address entered is not available for use.',
    });
    expect(await call('AddClient', { ...NEW_CLIENT, email: 'erik.sandberg@example.com' })).toEqual({
      result: 'error',
      message: 'A user already exists with that email address',
    });
    expect(await call('AddClient', { ...NEW_CLIENT, firstname: '' })).toEqual({
      result: 'error',
      message: 'You did not enter your first name',
    });
    expect(await call('AddClient', { ...NEW_CLIENT, email: 'not-an-email' })).toEqual({
      result: 'error',
      message: 'The email address you entered was not valid',
    });
    expect(await call('AddClient', { ...NEW_CLIENT, country: 'Norway' })).toEqual({
      result: 'error',
      message: 'Valid country required',
    });
    expect(await call('AddClient', { ...NEW_CLIENT, owner_user_id: 9999 })).toEqual({
      result: 'error',
      message: 'Invalid Owner User ID',
    });
  });

  it('links a new client to an existing owner user', async () => {
    const { call } = sandbox();
    const created = await call('AddClient', {
      ...NEW_CLIENT,
      email: 'second.account@example.com',
      owner_user_id: demo.ownerUserId,
    });
    const users = await call('GetUsers', { search: 'zoe.lindqvist' });
    const user = (users.users as { id: number; clients: { id: number; isOwner: boolean }[] }[])[0];
    expect(user?.clients).toContainEqual({ id: Number(created.clientid), isOwner: true });
  });

  it('answers lookups with the documented errors', async () => {
    const { call } = sandbox();
    expect(await call('GetClientsDetails', {})).toEqual({
      result: 'error',
      message: 'Either clientid Or email Is Required',
    });
    expect(await call('GetClientsDetails', { clientid: 4242 })).toEqual({
      result: 'error',
      message: 'Client Not Found',
    });
  });

  it('computes the stats block from the seeded invoices and credit', async () => {
    const { call } = sandbox();
    const reply = await call('GetClientsDetails', { clientid: demo.id, stats: true });
    expect(reply.stats).toMatchObject({
      creditbalance: `$${demo.creditBalance} USD`,
      incredit: true,
      numoverdueinvoices: 2,
      numunpaidinvoices: 3,
      numDraftInvoices: 1,
      numrefundedinvoices: 1,
      numcancelledinvoices: 1,
      numdomains: 4,
      numtickets: 3,
    });
  });
});

describe('UpdateClient, CloseClient and notes', () => {
  it('updates fields and email preferences and refuses a duplicate email', async () => {
    const { call } = sandbox();
    expect(
      await call('UpdateClient', {
        clientid: demo.id,
        companyname: 'Lindqvist Studio AB',
        email_preferences: { invoice: '0' },
        taxexempt: true,
      }),
    ).toEqual({ result: 'success', clientid: String(demo.id) });
    const client = (await call('GetClientsDetails', { clientid: demo.id })).client as Record<string, unknown>;
    expect(client).toMatchObject({ companyname: 'Lindqvist Studio AB', taxexempt: true });
    expect(client.email_preferences).toMatchObject({ invoice: '0', general: '1' });
    expect(await call('UpdateClient', { clientid: demo.id, email: 'juergen.mueller@example.de' })).toEqual({
      result: 'error',
      message: 'Duplicate Email Address',
    });
    expect(await call('UpdateClient', { clientid: 9999, companyname: 'x' })).toEqual({
      result: 'error',
      message: 'Client ID Not Found',
    });
  });

  it('moves the email index with the email, so lookups by the new address work', async () => {
    const { call } = sandbox();
    await call('UpdateClient', { clientid: demo.id, email: 'zoe@example.org' });
    expect(
      ((await call('GetClientsDetails', { email: 'zoe@example.org' })).client as { id: number }).id,
    ).toBe(demo.id);
    expect(await call('GetClientsDetails', { email: demo.email })).toEqual({
      result: 'error',
      message: 'Client Not Found',
    });
  });

  it('closes a client: services, addons and domains cancelled, unpaid invoices cancelled, paid ones kept', async () => {
    const { call, state } = sandbox();
    expect(await call('CloseClient', { clientid: demo.id })).toEqual({ result: 'success' });
    expect(state.clients.get(demo.id)?.status).toBe('Closed');
    expect(state.services.get(demo.services.active)?.status).toBe('Cancelled');
    expect(state.services.get(demo.services.terminated)?.status).toBe('Terminated');
    expect(state.domains.get(demo.domains.active)?.status).toBe('Cancelled');
    expect(state.invoices.get(demo.invoices.unpaid)?.status).toBe('Cancelled');
    expect(state.invoices.get(demo.invoices.paid)?.status).toBe('Paid');
    const closed = await call('GetClients', { status: 'Closed' });
    expect((closed.clients as { client: { id: number }[] }).client.map((client) => client.id)).toContain(
      demo.id,
    );
  });

  it('adds a note and refuses an empty one', async () => {
    const { call, state } = sandbox();
    const reply = await call('AddClientNote', {
      userid: demo.id,
      notes: 'Called about renewal',
      sticky: true,
    });
    expect(reply).toMatchObject({ result: 'success' });
    expect(state.clientNotes.get(Number(reply.noteid))).toMatchObject({ clientId: demo.id, sticky: true });
    expect(await call('AddClientNote', { userid: demo.id, notes: '  ' })).toEqual({
      result: 'error',
      message: 'Notes can not be empty',
    });
    expect(await call('AddClientNote', { userid: 999, notes: 'x' })).toEqual({
      result: 'error',
      message: 'Client ID not found',
    });
  });
});

describe('client lists', () => {
  it('searches from the start of names and email, case-insensitively, including non-ASCII', async () => {
    const { call } = sandbox();
    const reply = await call('GetClients', { search: 'zoë' });
    expect((reply.clients as { client: { id: number }[] }).client.map((client) => client.id)).toContain(
      demo.id,
    );
    const japanese = await call('GetClients', { search: '山田' });
    expect((japanese.clients as { client: { id: number }[] }).client.map((client) => client.id)).toContain(
      SEED_FACTS.japaneseClient.id,
    );
    expect(await call('GetClients', { search: 'no-such-client' })).toEqual({
      result: 'success',
      totalresults: 0,
      startnumber: 0,
      numreturned: 0,
      clients: [],
    });
  });

  it('pages and sorts with limitstart, limitnum, orderby and sorting', async () => {
    const { call } = sandbox();
    const reply = await call('GetClients', { limitstart: 5, limitnum: 4, orderby: 'id', sorting: 'DESC' });
    expect(reply).toMatchObject({ totalresults: 15, startnumber: 5, numreturned: 4 });
    expect((reply.clients as { client: { id: number }[] }).client.map((client) => client.id)).toEqual([
      10, 9, 8, 7,
    ]);
  });

  it('lists contacts and users for a client', async () => {
    const { call } = sandbox();
    const contacts = await call('GetContacts', { userid: demo.id });
    expect(contacts).toMatchObject({
      totalresults: 1,
      contacts: { contact: [{ id: demo.contactId, invoiceemails: true, supportemails: false }] },
    });
    const users = await call('GetUsers', { search: 'Erik' });
    expect(users.users).toMatchObject([
      { id: demo.secondUserId, clients: [{ id: demo.id, isOwner: false }] },
    ]);
  });
});
