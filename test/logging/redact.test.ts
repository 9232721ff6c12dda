import { describe, expect, it } from 'vitest';
import { REDACTED, isSensitiveKey, redactText, redactValue } from '../../src/logging/redact.js';

describe('isSensitiveKey', () => {
  it.each([
    'password',
    'password2',
    'PASSWORD',
    'newPassword',
    'passwd',
    'pass',
    'secret',
    'WHMCS_SECRET',
    'identifier',
    'accesskey',
    'access_key',
    'accessKey',
    'token',
    'auth_token',
    'authToken',
    'refresh-token',
    'auth',
    'authorization',
    'Authorization',
    'cookie',
    'set-cookie',
    'apikey',
    'api_key',
    'x-api-key',
    'securityqans',
    'securityqanswer',
    'cardnum',
    'cardnumber',
    'ccnumber',
    'cccvv',
    'cvv',
    'cvv2',
    'bankacct',
    'bankaccount',
    'privateKey',
  ])('treats %s as sensitive', (key) => expect(isSensitiveKey(key)).toBe(true));

  it.each([
    'name',
    'email',
    'invoiceid',
    'status',
    'amount',
    'author',
    'passive',
    'cardtype',
    'cardlastfour',
    'msg',
  ])('leaves %s alone', (key) => expect(isSensitiveKey(key)).toBe(false));
});

describe('redactText', () => {
  it('masks secrets in form bodies and query strings', () => {
    expect(redactText('action=GetClients&identifier=abc&secret=def&accesskey=ghi&limitnum=5')).toBe(
      `action=GetClients&identifier=${REDACTED}&secret=${REDACTED}&accesskey=${REDACTED}&limitnum=5`,
    );
  });

  it('masks secrets in JSON text such as an upstream body excerpt', () => {
    expect(redactText('{"result":"success","password":"hunter2","pin":1234,"domain":"example.com"}')).toBe(
      `{"result":"success","password":"${REDACTED}","pin":"${REDACTED}","domain":"example.com"}`,
    );
  });

  it('masks bearer tokens and card numbers', () => {
    expect(redactText('Authorization: Bearer abc.def-123456')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactText('card 4111 1111 1111 1111')).toBe('card **** **** **** 1111');
  });
});

describe('redactValue', () => {
  it('redacts at any depth without changing the original', () => {
    const original = {
      client: { id: 7, credentials: { user: 'ann' }, services: [{ password: 'pw', domain: 'a.test' }] },
    };
    expect(redactValue(original)).toEqual({
      client: { id: 7, credentials: REDACTED, services: [{ password: REDACTED, domain: 'a.test' }] },
    });
    expect(original.client.services[0]?.password).toBe('pw');
  });

  it('turns errors into plain objects with redacted text and causes', () => {
    const cause = new Error('socket said secret=abc');
    const error = Object.assign(new Error('charge 4111111111111111 failed', { cause }), {
      token: 'tk',
      code: 'E1',
    });
    const redacted = redactValue(error) as Record<string, unknown>;
    expect(redacted).toMatchObject({
      type: 'Error',
      message: 'charge ************1111 failed',
      token: REDACTED,
      code: 'E1',
      cause: { type: 'Error', message: `socket said secret=${REDACTED}` },
    });
    expect(String(redacted.stack)).not.toContain('4111111111111111');
  });

  it('copes with cycles, maps, sets, buffers and dates', () => {
    const node: Record<string, unknown> = { name: 'loop' };
    node.self = node;
    const when = new Date('2024-01-02T03:04:05Z');
    expect(
      redactValue({
        node,
        map: new Map([
          ['apikey', 'k'],
          ['plan', 'gold'],
        ]),
        set: new Set(['4111111111111111']),
        raw: Buffer.from('secret'),
        when,
      }),
    ).toEqual({
      node: { name: 'loop', self: '[circular]' },
      map: { apikey: REDACTED, plan: 'gold' },
      set: ['************1111'],
      raw: '[6 bytes]',
      when,
    });
  });

  it('keeps the same object seen twice side by side', () => {
    const shared = { plan: 'gold' };
    expect(redactValue({ a: shared, b: shared })).toEqual({ a: { plan: 'gold' }, b: { plan: 'gold' } });
  });
});
