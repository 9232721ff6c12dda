import { describe, expect, it } from 'vitest';
import { containsCardNumber, maskCardNumbers, passesLuhn } from '../../src/logging/card-scan.js';

describe('passesLuhn', () => {
  it.each([
    '4111111111111111',
    '5555555555554444',
    '378282246310005',
    '4222222222222',
    '6011000000000000001',
  ])('accepts the test card %s', (digits) => expect(passesLuhn(digits)).toBe(true));

  it.each(['4111111111111112', '1234567890123456', '', '41111111111111x1'])('refuses %s', (digits) =>
    expect(passesLuhn(digits)).toBe(false),
  );
});

describe('maskCardNumbers', () => {
  it.each([
    ['4111111111111111', '************1111'],
    ['4111 1111 1111 1111', '**** **** **** 1111'],
    ['4111-1111-1111-1111', '****-****-****-1111'],
    ['3782 822463 10005', '**** ****** *0005'],
    ['4222222222222', '*********2222'],
    ['6011 0000 0000 0000 001', '**** **** **** ***0 001'],
  ])('masks %s as %s', (text, masked) => {
    expect(maskCardNumbers(text)).toBe(masked);
  });

  it('masks cards inside prose, several at once, and keeps the words around them', () => {
    expect(maskCardNumbers('Please charge 4111 1111 1111 1111 or else 5555555555554444, thanks')).toBe(
      'Please charge **** **** **** 1111 or else ************4444, thanks',
    );
  });

  it('finds a card next to other digit groups', () => {
    expect(maskCardNumbers('4111 1111 1111 1111 2027')).toBe('**** **** **** 1111 2027');
    expect(maskCardNumbers('ref 7 4111 1111 1111 1111')).toBe('ref 7 **** **** **** 1111');
    expect(maskCardNumbers('4111111111111111 123')).toBe('************1111 123');
  });

  it.each([
    'invoice 1234567890123456 is due',
    'dates 2024-01-15 2024-02-16 2024-03-17',
    'order 20240115202402',
    'id 411111111111111111111111',
    'phone +1 555 0100 4477',
    'short 4111 1111',
  ])('leaves non-card digits alone: %s', (text) => {
    expect(maskCardNumbers(text)).toBe(text);
    expect(containsCardNumber(text)).toBe(false);
  });

  it('is idempotent', () => {
    const once = maskCardNumbers('card 4111 1111 1111 1111');
    expect(maskCardNumbers(once)).toBe(once);
  });
});
