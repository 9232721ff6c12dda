import { describe, expect, it } from 'vitest';
import { WhmcsMcpError } from '../../src/errors.js';
import type { ActionDefinition, ActionParamType } from '../../src/whmcs/action-types.js';
import {
  ACTION_TABLE,
  MAX_STRING_PARAM_BYTES,
  assertActionParams,
  closeMatches,
  getAction,
  isCredentialParam,
  isReadAction,
  listActions,
  normalizeBoolParams,
  redactCredentialParams,
  requireAction,
  validateActionParams,
  type ActionParamProblem,
} from '../../src/whmcs/actions.js';

/** A one-parameter action for type cases, so each case exercises exactly one rule. */
function actionWith(type: ActionParamType, required = false): ActionDefinition {
  return {
    name: 'TestAction',
    summary: 'test',
    kind: 'write',
    risk: 'low',
    effects: [],
    blocked: false,
    params: [{ name: 'value', type, required, description: '' }],
    paged: false,
    errors: [],
  };
}

function problemsFor(type: ActionParamType, value: unknown): ActionParamProblem[] {
  return validateActionParams(actionWith(type), { value });
}

describe('action lookup', () => {
  it('finds actions in any letter case, as WHMCS does', () => {
    expect(getAction('getclientsdetails')?.name).toBe('GetClientsDetails');
    expect(getAction('GETINVOICE')?.name).toBe('GetInvoice');
    expect(getAction(' WhmcsDetails ')?.name).toBe('WhmcsDetails');
    expect(requireAction('addcredit').name).toBe('AddCredit');
    expect(getAction('NoSuchAction')).toBeUndefined();
  });

  it('names close matches for an unknown action', () => {
    let caught: unknown;
    try {
      requireAction('GetInvoise');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WhmcsMcpError);
    const error = caught as WhmcsMcpError;
    expect(error.code).toBe('invalid_input');
    expect(error.message).toBe(
      "'GetInvoise' is not a WHMCS API action. Did you mean GetInvoice, GetInvoices, GenInvoices?",
    );
    expect(error.details).toEqual({
      action: 'GetInvoise',
      suggestions: ['GetInvoice', 'GetInvoices', 'GenInvoices'],
    });
  });

  it('suggests by containment when the edit distance is large', () => {
    expect(() => requireAction('Invoices')).toThrow(/Did you mean GenInvoices, GetInvoices\?/);
  });

  it('says so plainly when nothing is close, and never echoes a huge name whole', () => {
    const huge = 'Z'.repeat(5_000);
    let caught: unknown;
    try {
      requireAction(huge);
    } catch (error) {
      caught = error;
    }
    const error = caught as WhmcsMcpError;
    expect(error.message).not.toContain('Did you mean');
    expect(error.message.length).toBeLessThan(200);
  });

  it('lists actions by kind and blocked state', () => {
    const reads = listActions({ kind: 'read' });
    const writes = listActions({ kind: 'write' });
    expect(reads.length + writes.length).toBe(ACTION_TABLE.length);
    expect(reads.every((entry) => entry.kind === 'read')).toBe(true);
    expect(listActions({ blocked: true }).map((entry) => entry.name)).toContain('DecryptPassword');
    expect(listActions({ kind: 'read', blocked: false }).map((entry) => entry.name)).not.toContain(
      'GetClientPassword',
    );
    expect(listActions()).toHaveLength(ACTION_TABLE.length);
  });

  it('tells reads from writes, treating unknown actions as writes', () => {
    expect(isReadAction('GetInvoices')).toBe(true);
    expect(isReadAction('getinvoices')).toBe(true);
    expect(isReadAction('AddCredit')).toBe(false);
    expect(isReadAction('MadeUpAction')).toBe(false);
  });

  it('ranks a case-only difference first', () => {
    expect(closeMatches('EMAIL', ['email2', 'email', 'mail'])[0]).toBe('email');
    expect(closeMatches('', ['email'])).toEqual([]);
  });
});

describe('required and unknown parameters', () => {
  it('reports each missing required parameter', () => {
    const problems = validateActionParams(requireAction('AddCredit'), { clientid: 42 });
    expect(problems).toEqual([
      { param: 'description', problem: 'missing', message: "'description' is required by AddCredit." },
      { param: 'amount', problem: 'missing', message: "'amount' is required by AddCredit." },
    ]);
  });

  it('treats null and undefined as not given', () => {
    const problems = validateActionParams(requireAction('AddCredit'), {
      clientid: 42,
      description: null,
      amount: undefined,
      adminid: null,
    });
    expect(problems.map((problem) => [problem.param, problem.problem])).toEqual([
      ['description', 'missing'],
      ['amount', 'missing'],
    ]);
  });

  it('accepts a complete documented call', () => {
    expect(
      validateActionParams(requireAction('AddCredit'), {
        clientid: 42,
        description: 'Goodwill credit',
        amount: '10.00',
      }),
    ).toEqual([]);
  });

  it('names an unknown parameter with suggestions', () => {
    const problems = validateActionParams(requireAction('AddCredit'), {
      clientid: 42,
      description: 'x',
      amount: 1,
      ammount: 1,
    });
    expect(problems).toEqual([
      {
        param: 'ammount',
        problem: 'unknown',
        message: "'ammount' is not a parameter this action documents. Did you mean amount?",
        suggestions: ['amount'],
      },
    ]);
  });

  it('matches parameter names exactly, because PHP does', () => {
    const problems = validateActionParams(requireAction('ActivateModule'), {
      moduletype: 'gateway',
      moduleName: 'paypal',
    });
    expect(problems[0]).toMatchObject({ param: 'moduletype', problem: 'unknown' });
    expect(problems[0]?.suggestions?.[0]).toBe('moduleType');
    expect(problems[1]).toMatchObject({ param: 'moduleType', problem: 'missing' });
  });

  it('refuses fields the client sets itself', () => {
    const problems = validateActionParams(requireAction('GetClients'), {
      action: 'DecryptPassword',
      identifier: 'x',
      secret: 'y',
      accesskey: 'z',
      Password: 'p',
      responsetype: 'xml',
    });
    expect(problems.map((problem) => problem.problem)).toEqual(Array(6).fill('reserved'));
    expect(problems[0]?.message).toBe(
      "'action' is set by the server itself and cannot be passed to GetClients.",
    );
  });

  it('refuses parameters WHMCS removed (the struck-through card fields)', () => {
    const problems = validateActionParams(requireAction('UpdateClient'), { clientid: 1, cardnum: '4111' });
    expect(problems).toEqual([
      {
        param: 'cardnum',
        problem: 'deprecated',
        message: "'cardnum' was removed from UpdateClient in current WHMCS versions; leave it out.",
      },
    ]);
  });

  it('never repeats a value in a message', () => {
    const secret = 'hunter2-not-an-amount';
    const problems = validateActionParams(requireAction('AddCredit'), {
      clientid: secret,
      description: 'x',
      amount: secret,
    });
    expect(problems).toHaveLength(2);
    for (const problem of problems) expect(problem.message).not.toContain(secret);
  });
});

describe('parameter types', () => {
  const cases: [ActionParamType, unknown[], unknown[]][] = [
    ['string', ['text', '', 12, 1.5, 10n], [true, {}, [], Number.NaN, Number.POSITIVE_INFINITY]],
    [
      'int',
      [1, -3, 0, '42', '-7', 9n],
      [1.5, '1.5', '', ' 1', '1e3', 'abc', true, [], Number.MAX_SAFE_INTEGER * 2],
    ],
    ['float', [1, 1.25, '10.00', '-3.5', '7', 0], ['1,5', '.5', '1.', 'ten', false, {}, Number.NaN]],
    ['bool', [true, false, 0, 1, '0', '1', 'true', 'false'], [2, 'yes', 'on', 'TRUE', '', []]],
    [
      'datetime',
      ['2024-02-29', '2024-02-29 13:45:00', '2024-02-29 13:45'],
      ['29/02/2024', 1709164800, '2024-2-29'],
    ],
    ['array', [[1, 2], { a: 1 }, 'YTozOntpOjA7czoxOiJ4Ijt9'], [1, true]],
    ['int[]', [[1, '2'], { 12: 3 }, 5, '6'], [[1, 'x'], { a: 1.5 }, 'x', true]],
    ['float[]', [['1.50', 2], { 7: '3.25' }, '4.00'], [['abc'], { 1: true }]],
    ['bool[]', [[true, '0'], { 12: 'false' }, 1], [['maybe'], { 1: 2 }]],
    ['string[]', [['a', 'b'], { x: 'y' }, 'a,b', 3], [[true], [{}], [[]]]],
    ['mixed', ['a', 1, true, [1], { a: 1 }], []],
  ];

  for (const [type, accepted, refused] of cases) {
    it(`${type}: accepts documented forms`, () => {
      for (const value of accepted)
        expect(problemsFor(type, value), JSON.stringify(value, bigintSafe)).toEqual([]);
    });
    if (refused.length > 0) {
      it(`${type}: refuses other forms`, () => {
        for (const value of refused) {
          const problems = problemsFor(type, value);
          expect(problems, JSON.stringify(value)).toHaveLength(1);
          expect(problems[0]?.problem, JSON.stringify(value)).toBe('wrong_type');
          expect(problems[0]?.param.startsWith('value')).toBe(true);
        }
      });
    }
  }

  it('says what was expected and what kind of value came', () => {
    expect(problemsFor('int', '1.5')[0]?.message).toBe(
      "'value' must be an integer (a whole number or a string of digits); got text in another form.",
    );
    expect(problemsFor('int', 2.5)[0]?.message).toContain('got a number with a fraction');
    expect(problemsFor('float', {})[0]?.message).toContain('got an object');
  });

  it('names the bad entry of a list', () => {
    expect(problemsFor('int[]', [1, 2, 'x'])[0]).toMatchObject({ param: 'value[2]', problem: 'wrong_type' });
  });

  it(`refuses text over ${MAX_STRING_PARAM_BYTES} bytes of UTF-8`, () => {
    expect(problemsFor('string', 'a'.repeat(MAX_STRING_PARAM_BYTES))).toEqual([]);
    expect(problemsFor('string', 'a'.repeat(MAX_STRING_PARAM_BYTES + 1))[0]?.problem).toBe('too_long');
    // 21,846 three-byte characters are 65,538 bytes: the cap counts bytes, as MySQL does.
    expect(problemsFor('string', '€'.repeat(21_846))[0]?.problem).toBe('too_long');
    expect(problemsFor('string[]', ['ok', 'b'.repeat(MAX_STRING_PARAM_BYTES + 1)])[0]).toMatchObject({
      param: 'value[1]',
      problem: 'too_long',
    });
  });

  it('reports a missing required parameter of any type', () => {
    expect(validateActionParams(actionWith('int', true), {})).toEqual([
      { param: 'value', problem: 'missing', message: "'value' is required by TestAction." },
    ]);
  });
});

describe('numbered, bracket and nested parameters', () => {
  const createInvoice = requireAction('CreateInvoice');

  it('accepts CreateInvoice numbered items (itemdescription1, itemamount1, ...)', () => {
    expect(
      validateActionParams(createInvoice, {
        userid: 42,
        sendinvoice: true,
        itemdescription1: 'Web hosting, March',
        itemamount1: '15.95',
        itemtaxed1: 1,
        itemdescription2: 'Setup',
        itemamount2: 10,
        itemtaxed2: 'false',
        itemdescription10: 'Tenth line',
        itemamount10: '1.00',
      }),
    ).toEqual([]);
  });

  it('type-checks numbered items and refuses the x placeholder itself', () => {
    const problems = validateActionParams(createInvoice, {
      userid: 42,
      itemamount1: 'ten',
      itemdescriptionx: 'placeholder',
      itemdescription: 'no number',
    });
    expect(problems.map((problem) => [problem.param, problem.problem])).toEqual([
      ['itemamount1', 'wrong_type'],
      ['itemdescriptionx', 'unknown'],
      ['itemdescription', 'unknown'],
    ]);
    expect(problems[1]?.suggestions).toEqual(['itemdescription1']);
  });

  it('accepts bracket parameters flat or nested (email_preferences)', () => {
    const updateClient = requireAction('UpdateClient');
    expect(
      validateActionParams(updateClient, {
        clientid: 7,
        'email_preferences[invoice]': true,
        email_preferences: { general: 0, domain: '1' },
      }),
    ).toEqual([]);
    const problems = validateActionParams(updateClient, {
      clientid: 7,
      email_preferences: { invoices: true, support: 'maybe' },
      'email_preferences[product]': 2,
    });
    expect(problems.map((problem) => [problem.param, problem.problem])).toEqual([
      ['email_preferences[invoices]', 'unknown'],
      ['email_preferences[support]', 'wrong_type'],
      ['email_preferences[product]', 'wrong_type'],
    ]);
    expect(problems[0]?.suggestions?.[0]).toBe('email_preferences[invoice]');
    expect(validateActionParams(updateClient, { clientid: 7, email_preferences: 'all' })[0]).toMatchObject({
      param: 'email_preferences',
      problem: 'wrong_type',
    });
  });

  it('checks CreateQuote line items given nested, flat, or as the documented base64 text', () => {
    const createQuote = requireAction('CreateQuote');
    const base = { subject: 'Quote', stage: 'Draft', validuntil: '31/12/2026' };
    expect(
      validateActionParams(createQuote, {
        ...base,
        lineitems: [
          { desc: 'Dedicated server', qty: 1, up: '99.00', discount: '0', taxable: true },
          { desc: 'Setup', qty: '1', up: 25 },
        ],
      }),
    ).toEqual([]);
    expect(
      validateActionParams(createQuote, {
        ...base,
        'lineitems[0][desc]': 'Server',
        'lineitems[0][up]': '5.00',
      }),
    ).toEqual([]);
    expect(validateActionParams(createQuote, { ...base, lineitems: 'YToxOntpOjA7YTowOnt9fQ==' })).toEqual([]);
    const problems = validateActionParams(createQuote, {
      ...base,
      lineitems: [{ desc: 'ok', qty: 'two' }, { descr: 'typo' }],
    });
    expect(problems.map((problem) => [problem.param, problem.problem])).toEqual([
      ['lineitems[0][qty]', 'wrong_type'],
      ['lineitems[1][descr]', 'unknown'],
    ]);
    expect(problems[1]?.suggestions?.[0]).toBe('lineitems[1][desc]');
  });

  it('accepts UpdateInvoice line maps keyed by line item id', () => {
    expect(
      validateActionParams(requireAction('UpdateInvoice'), {
        invoiceid: 9,
        itemdescription: { 101: 'Renamed line' },
        itemamount: { 101: '12.00' },
        itemtaxed: { 101: false },
        newitemdescription: ['Added line'],
        'newitemamount[0]': '3.00',
        deletelineids: [102, '103'],
      }),
    ).toEqual([]);
    const problems = validateActionParams(requireAction('UpdateInvoice'), {
      invoiceid: 9,
      'deletelineids[0]': 'x',
      'itemamount[1][2]': '1.00',
    });
    expect(problems.map((problem) => [problem.param, problem.problem])).toEqual([
      ['deletelineids[0]', 'wrong_type'],
      ['itemamount[1][2]', 'wrong_type'],
    ]);
  });

  it('accepts AddOrder product lists and free-form array parameters', () => {
    expect(
      validateActionParams(requireAction('AddOrder'), {
        clientid: 1,
        paymentmethod: 'paypal',
        pid: [1, 2],
        billingcycle: ['monthly', 'annually'],
        domain: ['example.com', ''],
        domainrenewals: { 'example.org': 2 },
        'priceoverride[0]': '9.99',
      }),
    ).toEqual([]);
    expect(
      validateActionParams(requireAction('AddProduct'), {
        name: 'Plan',
        gid: 1,
        pricing: { 1: { monthly: '5.00' } },
        'pricing[2][annually]': '50.00',
      }),
    ).toEqual([]);
  });

  it('accepts the comma-separated id lists GetProducts and GetClientsAddons document', () => {
    expect(validateActionParams(requireAction('GetProducts'), { pid: '1,2,3' })).toEqual([]);
    expect(validateActionParams(requireAction('GetProducts'), { pid: 4 })).toEqual([]);
    expect(validateActionParams(requireAction('GetClientsAddons'), { serviceid: '10,11' })).toEqual([]);
  });

  it('refuses an unknown bracket parameter with a suggestion', () => {
    const problems = validateActionParams(requireAction('AddClient'), {
      firstname: 'A',
      lastname: 'B',
      email: 'a@example.com',
      address1: '1 Road',
      city: 'Town',
      state: 'State',
      postcode: '123',
      country: 'GB',
      phonenumber: '0123',
      'customfield[1]': 'x',
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ param: 'customfield[1]', problem: 'unknown' });
    expect(problems[0]?.suggestions).toContain('customfields');
  });
});

describe('every documented call shape', () => {
  const sample: Record<ActionParamType, unknown> = {
    string: 'text',
    int: 7,
    float: '12.50',
    bool: true,
    datetime: '2024-05-01 10:00:00',
    array: { key: 'value' },
    'string[]': ['a'],
    'int[]': [1],
    'float[]': ['1.00'],
    'bool[]': [false],
    mixed: 'value',
  };

  it('accepts every non-deprecated documented parameter with a value of its type, in the form a caller sends', () => {
    for (const action of ACTION_TABLE) {
      const numbered = new Set(['itemdescriptionx', 'itemamountx', 'itemtaxedx']);
      const params: Record<string, unknown> = {};
      for (const param of action.params) {
        if (param.deprecated) continue;
        const name =
          action.name === 'CreateInvoice' && numbered.has(param.name)
            ? `${param.name.slice(0, -1)}1`
            : param.name.replace(/\[x\]/g, '[0]');
        // A base whose entries are documented separately (lineitems) goes as its encoded text here.
        const hasEntries = action.params.some((other) => other.name.startsWith(`${param.name}[`));
        params[name] = hasEntries ? 'YTowOnt9' : sample[param.type];
      }
      expect(validateActionParams(action, params), action.name).toEqual([]);
    }
  });
});

describe('assertActionParams', () => {
  it('throws one invalid_input error listing every problem', () => {
    let caught: unknown;
    try {
      assertActionParams(requireAction('AddCredit'), { clientid: 'forty-two', ammount: 1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WhmcsMcpError);
    const error = caught as WhmcsMcpError;
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/^AddCredit: 4 parameter problems\. /);
    const problems = error.details?.['problems'] as ActionParamProblem[];
    expect(problems.map((problem) => [problem.param, problem.problem])).toEqual([
      ['clientid', 'wrong_type'],
      ['ammount', 'unknown'],
      ['description', 'missing'],
      ['amount', 'missing'],
    ]);
    expect(error.details?.['action']).toBe('AddCredit');
  });

  it('returns quietly for a valid call', () => {
    expect(() =>
      assertActionParams(requireAction('GetInvoices'), { userid: 3, limitstart: 0, limitnum: 100 }),
    ).not.toThrow();
  });
});

describe('credential parameters and bool normalization', () => {
  it('knows which parameters carry secrets, including list entries', () => {
    expect(isCredentialParam(requireAction('AddClient'), 'password2')).toBe(true);
    expect(isCredentialParam(requireAction('AddClient'), 'firstname')).toBe(false);
    expect(isCredentialParam(requireAction('AddOrder'), 'eppcode[0]')).toBe(true);
    expect(isCredentialParam(requireAction('CapturePayment'), 'cvv')).toBe(true);
  });

  it('redacts credential values and leaves the rest', () => {
    expect(
      redactCredentialParams(requireAction('AddClient'), {
        firstname: 'Ada',
        password2: 'correct horse',
        securityqans: 'blue',
        notes: null,
      }),
    ).toEqual({ firstname: 'Ada', password2: '[redacted]', securityqans: '[redacted]', notes: null });
  });

  it('turns "true"/"false" into booleans only where the parameter is a bool', () => {
    const normalized = normalizeBoolParams(requireAction('UpdateInvoice'), {
      invoiceid: '5',
      publish: 'false',
      notes: 'false',
      itemtaxed: { 101: 'true', 102: 'false' },
      'newitemtaxed[0]': 'false',
    });
    expect(normalized).toEqual({
      invoiceid: '5',
      publish: false,
      notes: 'false',
      itemtaxed: { 101: true, 102: false },
      'newitemtaxed[0]': false,
    });
    expect(
      normalizeBoolParams(requireAction('UpdateClient'), {
        email_preferences: { general: 'false' },
        'email_preferences[domain]': 'true',
      }),
    ).toEqual({ email_preferences: { general: false }, 'email_preferences[domain]': true });
    expect(
      normalizeBoolParams(requireAction('CreateInvoice'), { itemtaxed3: 'false', itemdescription3: 'true' }),
    ).toEqual({ itemtaxed3: false, itemdescription3: 'true' });
  });
});

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}
