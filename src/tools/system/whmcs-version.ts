/**
 * Rules that depend on the WHMCS version, in one place. Tools and the write-flow ask
 * `whmcsRules(version)` instead of comparing version strings themselves, so a new WHMCS major
 * changes this file and nothing else.
 */

export interface WhmcsVersion {
  major: number;
  minor: number;
  patch: number;
}

/** Which rule set applies; `unknown` when the version could not be read. */
export type WhmcsRuleLine = '8.x' | '9.x' | 'older' | 'newer' | 'unknown';

export interface WhmcsRules {
  line: WhmcsRuleLine;
  /** Whether this server was built and tested against this line (8.x and 9.x). */
  supported: boolean;
  /**
   * WHMCS 9 makes an invoice immutable once it is finalized (no longer a draft): its items and
   * amounts cannot be edited, and corrections go through credit notes.
   */
  finalized_invoices_immutable: boolean;
  /** How a wrong amount on a finalized invoice is corrected. */
  invoice_corrections: 'edit_invoice' | 'credit_note';
  /** What an operator should know, one sentence each. */
  notes: string[];
}

const VERSION_TEXT = /^\s*v?(\d{1,3})\.(\d{1,3})(?:\.(\d{1,4}))?/;

/** Reads "8.13.1", "9.0.0-release.1" or "8.0"; null for anything else. */
export function parseWhmcsVersion(text: string | null | undefined): WhmcsVersion | null {
  if (typeof text !== 'string') return null;
  const match = VERSION_TEXT.exec(text);
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? '0') };
}

/**
 * The rules for a WHMCS version. An unreadable or newer version gets the strictest rules we know
 * (WHMCS 9's), so nothing assumes an invoice can be edited when it may not be.
 */
export function whmcsRules(version: string | WhmcsVersion | null | undefined): WhmcsRules {
  const parsed = typeof version === 'string' || version == null ? parseWhmcsVersion(version) : version;
  if (parsed === null) {
    return {
      line: 'unknown',
      supported: false,
      finalized_invoices_immutable: true,
      invoice_corrections: 'credit_note',
      notes: ['The WHMCS version could not be read, so the strictest known rules apply (those of WHMCS 9).'],
    };
  }
  if (parsed.major >= 9) {
    const newer = parsed.major > 9;
    return {
      line: newer ? 'newer' : '9.x',
      supported: !newer,
      finalized_invoices_immutable: true,
      invoice_corrections: 'credit_note',
      notes: [
        'Finalized invoices are immutable: their items and amounts cannot be edited; correct them with a credit note.',
        'Only draft invoices can still be edited.',
        ...(newer
          ? [`WHMCS ${parsed.major} is newer than this server knows; WHMCS 9 rules are applied.`]
          : []),
      ],
    };
  }
  if (parsed.major === 8) {
    return {
      line: '8.x',
      supported: true,
      finalized_invoices_immutable: false,
      invoice_corrections: 'edit_invoice',
      notes: [
        'Invoices stay editable after they are issued (UpdateInvoice); WHMCS 9 will make finalized invoices immutable.',
      ],
    };
  }
  return {
    line: 'older',
    supported: false,
    finalized_invoices_immutable: false,
    invoice_corrections: 'edit_invoice',
    notes: [
      `WHMCS ${parsed.major}.${parsed.minor} is older than 8.0: users, pay methods and several reply fields this server reads do not exist there. Upgrade WHMCS before relying on this server.`,
    ],
  };
}
