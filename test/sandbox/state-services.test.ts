/** Services and their module commands in the sandbox: suspend, unsuspend, terminate, create, edit. */
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
  const state = createSandboxState({ clients: 12, seed: 5 });
  return {
    state,
    call: async (action, params = {}) => callAction(state, action, params, { now: () => NOW }),
  };
}

interface ProductRow {
  status: string;
  suspensionreason: string;
  username: string;
  password: string;
  recurringamount: string;
  billingcycle: string;
  notes: string;
}

async function service(call: ReturnType<typeof sandbox>['call'], serviceId: number): Promise<ProductRow> {
  const reply = await call('GetClientsProducts', { serviceid: serviceId });
  const row = (reply.products as { product: ProductRow[] }).product[0];
  if (!row) throw new Error(`service ${serviceId} not listed`);
  return row;
}

function activityTexts(state: SandboxState): string[] {
  return [...state.activityLog.values()].map((entry) => entry.description);
}

describe('module commands', () => {
  it('suspends with a reason, logs it, suspends the addons, and unsuspends back to Active', async () => {
    const { call, state } = sandbox();
    expect(
      await call('ModuleSuspend', { serviceid: demo.services.active, suspendreason: 'Abuse report #77' }),
    ).toEqual({
      result: 'success',
    });
    expect(await service(call, demo.services.active)).toMatchObject({
      status: 'Suspended',
      suspensionreason: 'Abuse report #77',
    });
    expect(state.serviceAddons.get(demo.addonId)?.status).toBe('Suspended');
    expect(activityTexts(state)).toContain(
      `Module Suspend Successful - Service ID: ${demo.services.active} - Reason: Abuse report #77`,
    );

    expect(await call('ModuleUnsuspend', { serviceid: demo.services.active })).toEqual({ result: 'success' });
    expect(await service(call, demo.services.active)).toMatchObject({
      status: 'Active',
      suspensionreason: '',
    });
    expect(state.serviceAddons.get(demo.addonId)?.status).toBe('Active');
  });

  it('refuses commands that do not fit the status, and unknown or module-less services', async () => {
    const { call, state } = sandbox();
    expect((await call('ModuleSuspend', { serviceid: demo.services.suspended })).result).toBe('error');
    expect((await call('ModuleUnsuspend', { serviceid: demo.services.active })).result).toBe('error');
    expect((await call('ModuleTerminate', { serviceid: demo.services.terminated })).result).toBe('error');
    expect(await call('ModuleSuspend', {})).toEqual({ result: 'error', message: 'Service ID is required' });
    expect(await call('ModuleSuspend', { serviceid: 99999 })).toEqual({
      result: 'error',
      message: 'Service ID not found',
    });
    const ordered = await call('AddOrder', {
      clientid: demo.id,
      paymentmethod: 'stripe',
      pid: [String(SEED_FACTS.products.sslCertificate)],
      billingcycle: ['annually'],
    });
    expect(await call('ModuleSuspend', { serviceid: Number(ordered.serviceids) })).toEqual({
      result: 'error',
      message: 'Service not assigned to a module',
    });
    expect(state.services.get(demo.services.active)?.status).toBe('Active');
  });

  it('terminates an active or suspended service with today as termination date', async () => {
    const { call, state } = sandbox();
    expect(await call('ModuleTerminate', { serviceid: demo.services.suspended })).toEqual({
      result: 'success',
    });
    expect(state.services.get(demo.services.suspended)).toMatchObject({
      status: 'Terminated',
      terminationDate: '2025-06-15',
    });
    expect(activityTexts(state)).toContain(
      `Module Terminate Successful - Service ID: ${demo.services.suspended}`,
    );
  });

  it('creates the account of a pending service: Active with a username, password and server', async () => {
    const { call, state } = sandbox();
    expect(await call('ModuleCreate', { serviceid: demo.services.pending })).toEqual({ result: 'success' });
    const row = await service(call, demo.services.pending);
    expect(row.status).toBe('Active');
    expect(row.username).toMatch(/^[a-z0-9]{3,8}$/);
    expect(row.password.length).toBeGreaterThan(8);
    expect(state.services.get(demo.services.pending)?.serverId).toBeGreaterThan(0);
    expect((await call('ModuleCreate', { serviceid: demo.services.pending })).result).toBe('error');
  });
});

describe('UpdateClientProduct', () => {
  it('changes the fields it is given, exactly, and recalculates the price on request', async () => {
    const { call } = sandbox();
    expect(
      await call('UpdateClientProduct', {
        serviceid: demo.services.active,
        recurringamount: '11.11',
        billingcycle: 'annually',
        notes: 'Moved to yearly billing',
      }),
    ).toEqual({ result: 'success', serviceid: String(demo.services.active) });
    expect(await service(call, demo.services.active)).toMatchObject({
      recurringamount: '11.11',
      billingcycle: 'Annually',
      notes: 'Moved to yearly billing',
    });
    await call('UpdateClientProduct', { serviceid: demo.services.active, autorecalc: true });
    expect((await service(call, demo.services.active)).recurringamount).toBe('129.50');
  });

  it('validates before changing anything', async () => {
    const { call } = sandbox();
    const reply = await call('UpdateClientProduct', {
      serviceid: demo.services.active,
      notes: 'should not stick',
      status: 'Sleeping',
    });
    expect(reply.result).toBe('error');
    expect((await service(call, demo.services.active)).notes).toBe('');
    expect(await call('UpdateClientProduct', { serviceid: 77777 })).toEqual({
      result: 'error',
      message: 'Service ID Not Found',
    });
  });

  it('filters GetClientsProducts by client, product and domain and echoes the filters', async () => {
    const { call } = sandbox();
    const reply = await call('GetClientsProducts', { clientid: demo.id, pid: SEED_FACTS.products.starter });
    expect(reply).toMatchObject({
      clientid: String(demo.id),
      pid: String(SEED_FACTS.products.starter),
      serviceid: null,
      domain: null,
    });
    expect(reply.totalresults).toBe('2');
    const byDomain = await call('GetClientsProducts', { domain: 'lindqvistdesign.com' });
    expect((byDomain.products as { product: { id: string }[] }).product.map((row) => row.id)).toEqual([
      String(demo.services.active),
    ]);
    expect((await call('GetClientsProducts', { clientid: 99999 })).products).toBe('');
  });
});
