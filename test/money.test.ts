import { describe, expect, it } from 'vitest';
import { formatCents, isExactMoneyInput, parseCents, sumCents, toMoneyString } from '../src/money.js';

describe('money', () => {
  it('parses WHMCS decimal strings exactly', () => {
    expect(parseCents('15.95')).toBe(1595n);
    expect(parseCents('0.00')).toBe(0n);
    expect(parseCents('-3')).toBe(-300n);
    expect(parseCents(' 7.5 ')).toBe(750n);
    expect(parseCents(12)).toBe(1200n);
    expect(parseCents(0.1)).toBe(10n);
  });

  it('rounds extra places half away from zero', () => {
    expect(parseCents('0.005')).toBe(1n);
    expect(parseCents('0.004')).toBe(0n);
    expect(parseCents('-1.235')).toBe(-124n);
    expect(parseCents('0.000')).toBe(0n);
  });

  it('refuses what is not a number', () => {
    for (const value of ['', 'abc', '1,50', '1e3', 'NaN', null, undefined, {}, Infinity, 1e21]) {
      expect(parseCents(value)).toBeUndefined();
    }
  });

  it('adds amounts that binary floating point gets wrong', () => {
    const total = sumCents(['0.10', '0.20'].map((amount) => parseCents(amount)!));
    expect(formatCents(total)).toBe('0.30');
    expect(toMoneyString('1234.5')).toBe('1234.50');
    expect(formatCents(-5n)).toBe('-0.05');
  });

  it('accepts caller amounts with at most two places', () => {
    expect(isExactMoneyInput('10')).toBe(true);
    expect(isExactMoneyInput('10.25')).toBe(true);
    expect(isExactMoneyInput('10.255')).toBe(false);
    expect(isExactMoneyInput('ten')).toBe(false);
  });
});
