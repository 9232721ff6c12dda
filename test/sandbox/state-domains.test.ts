/** Domains in the sandbox: the simulated registrar, nameservers, locks, WHOIS, edits and pricing. */
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
  const state = createSandboxState({ clients: 12, seed: 8 });
  return {
    state,
    call: async (action, params = {}) => callAction(state, action, params, { now: () => NOW }),
  };
}

interface DomainRow {
  status: string;
  expirydate: string;
  nextduedate: string;
  registrar: string;
  idprotection: string;
  donotrenew: string;
}

async function domain(call: ReturnType<typeof sandbox>['call'], domainId: number): Promise<DomainRow> {
  const reply = await call('GetClientsDomains', { domainid: domainId });
  const row = (reply.domains as { domain: DomainRow[] }).domain[0];
  if (!row) throw new Error(`domain ${domainId} not listed`);
  return row;
}

describe('registrar commands', () => {
  it('renews the near-expiry domain by a year from its expiry date', async () => {
    const { call } = sandbox();
    const before = await domain(call, demo.domains.nearExpiry);
    expect(before.expirydate).toBe('2025-06-27');
    expect(await call('DomainRenew', { domainid: demo.domains.nearExpiry })).toEqual({ result: 'success' });
    expect(await domain(call, demo.domains.nearExpiry)).toMatchObject({
      expirydate: '2026-06-27',
      nextduedate: '2026-06-27',
      status: 'Active',
    });
  });

  it('renews an expired domain back to Active, and refuses a pending one', async () => {
    const { call } = sandbox();
    await call('DomainRenew', { domainid: demo.domains.expired, regperiod: 2 });
    expect(await domain(call, demo.domains.expired)).toMatchObject({
      status: 'Active',
      expirydate: '2027-05-06',
    });
    expect(await call('DomainRenew', { domainid: demo.domains.pending })).toEqual({
      result: 'error',
      message: 'Registrar Error: Domain cannot be renewed while its status is Pending',
    });
    expect(await call('DomainRenew', { domainid: 9999 })).toEqual({
      result: 'error',
      message: 'Domain Not Found',
    });
  });

  it('registers a pending domain by name for its registration period', async () => {
    const { call } = sandbox();
    expect(await call('DomainRegister', { domain: 'lindqvist-studio.io' })).toEqual({ result: 'success' });
    expect(await domain(call, demo.domains.pending)).toMatchObject({
      status: 'Active',
      registrar: 'enom',
      expirydate: '2026-06-15',
    });
    expect(await call('DomainRegister', { domainid: demo.domains.pending })).toEqual({
      result: 'error',
      message: 'Registrar Error: Domain already registered',
    });
  });

  it('starts a transfer with the EPP code', async () => {
    const { call, state } = sandbox();
    await call('DomainTransfer', { domainid: demo.domains.pending, eppcode: 'EPP-123' });
    expect(state.domains.get(demo.domains.pending)).toMatchObject({
      status: 'Pending Transfer',
      eppCode: 'EPP-123',
      regType: 'Transfer',
    });
  });
});

describe('nameservers and locks', () => {
  it('updates nameservers that the next read returns, and requires ns1 and ns2', async () => {
    const { call } = sandbox();
    await call('DomainUpdateNameservers', {
      domainid: demo.domains.active,
      ns1: 'a.ns.example',
      ns2: 'b.ns.example',
      ns3: 'c.ns.example',
    });
    expect(await call('DomainGetNameservers', { domainid: demo.domains.active })).toEqual({
      result: 'success',
      ns1: 'a.ns.example',
      ns2: 'b.ns.example',
      ns3: 'c.ns.example',
    });
    expect(
      await call('DomainUpdateNameservers', { domainid: demo.domains.active, ns1: 'a.ns.example' }),
    ).toEqual({
      result: 'error',
      message: 'ns1 and ns2 required',
    });
    expect(await call('DomainGetNameservers', { domainid: 9999 })).toEqual({
      result: 'error',
      message: 'Domain ID Not Found',
    });
  });

  it('unlocks when lockstatus is false or absent, and locks when true', async () => {
    const { call } = sandbox();
    expect(await call('DomainGetLockingStatus', { domainid: demo.domains.active })).toEqual({
      result: 'success',
      lockstatus: 'locked',
    });
    await call('DomainUpdateLockingStatus', { domainid: demo.domains.active });
    expect((await call('DomainGetLockingStatus', { domainid: demo.domains.active })).lockstatus).toBe(
      'unlocked',
    );
    await call('DomainUpdateLockingStatus', { domainid: demo.domains.active, lockstatus: true });
    expect((await call('DomainGetLockingStatus', { domainid: demo.domains.active })).lockstatus).toBe(
      'locked',
    );
  });
});

describe('UpdateClientDomain, WHOIS and pricing', () => {
  it('updates flags and dates and validates before changing anything', async () => {
    const { call } = sandbox();
    expect(
      await call('UpdateClientDomain', {
        domainid: demo.domains.active,
        donotrenew: true,
        expirydate: '2026-01-31',
      }),
    ).toEqual({
      result: 'success',
      domainid: String(demo.domains.active),
    });
    expect(await domain(call, demo.domains.active)).toMatchObject({
      donotrenew: '1',
      idprotection: '1',
      expirydate: '2026-01-31',
    });
    expect(
      (
        await call('UpdateClientDomain', {
          domainid: demo.domains.active,
          donotrenew: false,
          status: 'Parked',
        })
      ).result,
    ).toBe('error');
    expect((await domain(call, demo.domains.active)).donotrenew).toBe('1');
  });

  it('answers WHOIS deterministically: held names unavailable, bad names and TLDs refused', async () => {
    const { call } = sandbox();
    expect(await call('DomainWhois', { domain: 'lindqvist.net' })).toMatchObject({ status: 'unavailable' });
    const first = await call('DomainWhois', { domain: 'a-name-nobody-has-registered-yet.com' });
    expect(await call('DomainWhois', { domain: 'a-name-nobody-has-registered-yet.com' })).toEqual(first);
    expect(await call('DomainWhois', { domain: 'not a domain' })).toEqual({
      result: 'error',
      message: 'Domain not valid',
    });
    expect(await call('DomainWhois', { domain: 'example.zz' })).toEqual({
      result: 'error',
      message: 'The given TLD is not supported for WHOIS lookups',
    });
  });

  it('prices TLDs in the client currency', async () => {
    const { call } = sandbox();
    const usd = await call('GetTLDPricing', {});
    const eur = await call('GetTLDPricing', { clientid: SEED_FACTS.euroClient.id });
    expect((usd.pricing as Record<string, { register: Record<string, string> }>).com?.register['1']).toBe(
      '14.95',
    );
    expect(eur.currency).toMatchObject({ code: 'EUR' });
    // 14.95 at 0.92 is 13.754, rounded half up.
    expect((eur.pricing as Record<string, { register: Record<string, string> }>).com?.register['1']).toBe(
      '13.75',
    );
  });
});
