import { describe, expect, it } from 'vitest';
import { encodeParams } from '../../src/whmcs/encode.js';

describe('encodeParams', () => {
  it('flattens arrays and objects into PHP bracket fields', () => {
    const form = encodeParams({
      userid: 42,
      items: [
        { description: 'Hosting', amount: '9.95', taxed: true },
        { description: 'Domain', amount: '12.00', taxed: false },
      ],
      skipped: undefined,
      nothing: null,
    });
    expect([...form.entries()]).toEqual([
      ['userid', '42'],
      ['items[0][description]', 'Hosting'],
      ['items[0][amount]', '9.95'],
      ['items[0][taxed]', '1'],
      ['items[1][description]', 'Domain'],
      ['items[1][amount]', '12.00'],
      ['items[1][taxed]', '0'],
    ]);
    expect(form.toString()).toContain('items%5B0%5D%5Bdescription%5D=Hosting');
  });

  it('refuses reserved names in any case and non-finite numbers', () => {
    for (const name of [
      'action',
      'Secret',
      'IDENTIFIER',
      'accesskey',
      'responsetype',
      'username',
      'Password',
    ]) {
      expect(() => encodeParams({ [name]: 'x' })).toThrow(/set by the server/);
    }
    expect(() => encodeParams({ amount: Number.NaN })).toThrow(/finite/);
  });
});
