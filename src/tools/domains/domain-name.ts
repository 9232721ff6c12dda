/**
 * Strict domain name validation for inputs. Internationalized names are accepted in Unicode or in
 * punycode and checked in their ASCII (punycode) form against the DNS limits: 253 characters in
 * all, labels of 1-63 letters, digits and inner hyphens, a TLD that is alphabetic or punycode.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { z } from 'zod';

export interface DomainName {
  /** Lower-case ASCII form, as registrars and WHOIS servers take it ("xn--bcher-kva.de"). */
  ascii: string;
  /** Lower-case Unicode form for people ("bücher.de"). */
  unicode: string;
}

const MAX_NAME = 253;
const MAX_LABEL = 63;
// Letters and marks of any script, digits, hyphens and dots: nothing invisible, no spaces,
// no URL syntax. Everything else is junk before IDNA mapping could silently drop it.
const NAME_CHARACTERS = /^[\p{L}\p{M}\p{Nd}.-]+$/u;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const TLD_LABEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

function labelProblem(label: string): string | undefined {
  if (label.length === 0) return 'has an empty label (two dots in a row, or a leading or trailing dot)';
  if (label.length > MAX_LABEL) return `has a label longer than ${MAX_LABEL} characters`;
  if (!LDH_LABEL.test(label))
    return `has an invalid label '${label}' (letters, digits and inner hyphens only)`;
  // Hyphens in the 3rd and 4th places are reserved for encodings; only punycode (xn--) uses them.
  if (label.slice(2, 4) === '--' && !label.startsWith('xn--')) return `has a reserved label '${label}'`;
  return undefined;
}

/** Parses a domain name or suffix; `minLabels` is 2 for a domain, 1 for a TLD ("com", "co.uk"). */
export function parseDomainName(input: string, minLabels = 2): DomainName | { problem: string } {
  const candidate = input.trim().toLowerCase();
  if (!NAME_CHARACTERS.test(candidate)) {
    return { problem: 'may contain only letters, digits, hyphens and dots (no spaces, schemes or paths)' };
  }
  const ascii = domainToASCII(candidate);
  if (ascii === '') return { problem: 'is not a valid internationalized domain name' };
  if (ascii.length > MAX_NAME) return { problem: `is longer than ${MAX_NAME} characters in punycode form` };
  const labels = ascii.split('.');
  if (labels.length < minLabels) {
    return { problem: minLabels > 1 ? 'needs a name and a TLD, e.g. example.com' : 'is empty' };
  }
  for (const label of labels) {
    const problem = labelProblem(label);
    if (problem) return { problem };
  }
  const tld = labels[labels.length - 1] ?? '';
  if (!TLD_LABEL.test(tld)) return { problem: `has an invalid TLD '${tld}'` };
  return { ascii, unicode: domainToUnicode(ascii) };
}

/** A TLD or domain suffix ("com", ".co.uk", ".テスト"); a leading dot is optional. */
export function parseTld(input: string): DomainName | { problem: string } {
  return parseDomainName(input.trim().replace(/^\./, ''), 1);
}

function checked(parse: (value: string) => DomainName | { problem: string }, what: string) {
  return (value: string, refinement: z.RefinementCtx) => {
    const parsed = parse(value);
    if ('problem' in parsed)
      refinement.addIssue({ code: 'custom', message: `the ${what} ${parsed.problem}` });
  };
}

/** A domain name input: invalid_input names the field and says what is wrong. */
export function domainNameInput(description: string) {
  return z
    .string()
    .min(1)
    .max(MAX_NAME)
    .superRefine(checked((value) => parseDomainName(value), 'domain name'))
    .describe(description);
}

/** A TLD input ("com", ".co.uk"). */
export function tldInput(description: string) {
  return z.string().min(1).max(MAX_NAME).superRefine(checked(parseTld, 'TLD')).describe(description);
}
