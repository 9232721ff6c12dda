/**
 * Write rules for creating and editing invoices. An invoice's lines are what WHMCS bills, so the
 * caps see the sum of the lines a new invoice carries, and for an edit the exact change in what is
 * owed. Which edits a finalized invoice still allows depends on the WHMCS version (WHMCS 9 makes
 * it immutable), read through WhmcsDetails and judged by whmcsRules().
 */
import type { Cents } from '../../money.js';
import { whmcsRules } from '../../tools/system/whmcs-version.js';
import { INVOICE_STATUSES, invoiceStatusNamed, isOpenInvoiceStatus } from '../../whmcs/vocabulary.js';
import { entityFromParams, type ActionRules, type RulesContext } from '../rules.js';
import {
  Findings,
  abs,
  clientLabel,
  exactAmount,
  flagOf,
  invoiceLabel,
  isBlank,
  isRecord,
  minCents,
  money,
  netPaid,
  notSeen,
  positiveId,
  quoted,
  readClientParam,
  readInvoice,
  readInvoiceAndClient,
  rowsOf,
  snapshotValue,
  statusChange,
  textOf,
  type InvoiceLine,
  type InvoiceState,
} from './billing-common.js';

function invoiceStatus(value: unknown): string | undefined {
  return invoiceStatusNamed(textOf(value));
}

/** A tax rate in thousandths of a percent ("19" -> 19000); WHMCS stores three decimals. */
function taxRateOf(value: unknown): bigint | undefined {
  const match = /^(\d{1,3})(?:\.(\d{1,3}))?$/.exec(textOf(value).trim());
  if (!match) return undefined;
  return BigInt(match[1] ?? '0') * 1000n + BigInt(((match[2] ?? '') + '000').slice(0, 3));
}

function rateText(thousandths: bigint): string {
  return `${thousandths / 1000n}.${(thousandths % 1000n).toString().padStart(3, '0')}`;
}

/** Tax on the taxed lines, rounded half away from zero to the cent, as WHMCS computes exclusive tax. */
function taxOn(taxable: Cents, thousandths: bigint): Cents {
  const scaled = abs(taxable) * thousandths;
  const rounded = (scaled + 50_000n) / 100_000n;
  return taxable < 0n ? -rounded : rounded;
}

interface Totals {
  subtotal: Cents;
  tax: Cents;
  tax2: Cents;
  total: Cents;
}

function totalsOf(
  lines: readonly Pick<InvoiceLine, 'amount' | 'taxed'>[],
  rate: bigint,
  rate2: bigint,
  credit: Cents,
): Totals {
  let subtotal = 0n;
  let taxable = 0n;
  for (const line of lines) {
    subtotal += line.amount;
    if (line.taxed) taxable += line.amount;
  }
  const tax = taxOn(taxable, rate);
  const tax2 = taxOn(taxable, rate2);
  return { subtotal, tax, tax2, total: subtotal + tax + tax2 - credit };
}

function lineText(description: unknown, amount: Cents, taxed: boolean, currency: string): string {
  return `${quoted(description)} ${money(amount)} ${currency}${taxed ? ' (taxed)' : ''}`;
}

// ---- CreateInvoice ---------------------------------------------------------------------------------

const NUMBERED_ITEM = /^item(description|amount|taxed)(\d+)$/;

interface NewLine {
  position: string;
  description: string;
  amount: Cents;
  taxed: boolean;
}

/** The lines of a new invoice from itemdescriptionN / itemamountN / itemtaxedN, in N order. */
function numberedLines(params: Record<string, unknown>, findings: Findings): NewLine[] {
  const positions = new Set<string>();
  for (const key of Object.keys(params)) {
    const match = NUMBERED_ITEM.exec(key);
    if (match?.[2] !== undefined && !isBlank(params[key])) positions.add(match[2]);
  }
  const lines: NewLine[] = [];
  for (const position of [...positions].sort((a, b) => Number(a) - Number(b))) {
    const description = params[`itemdescription${position}`];
    const amountValue = params[`itemamount${position}`];
    if (isBlank(description)) {
      findings.problems.push(
        `Line ${position} has no itemdescription${position}: WHMCS skips a line without a description, so its amount would not be billed as given.`,
      );
      continue;
    }
    if (isBlank(amountValue)) {
      findings.problems.push(
        `Line ${position} has no itemamount${position}; give its amount (0.00 for a free line).`,
      );
      continue;
    }
    const amount = exactAmount(amountValue);
    if (amount === undefined) {
      findings.problems.push(`itemamount${position} must be an exact decimal with at most two places.`);
      continue;
    }
    lines.push({
      position,
      description: textOf(description),
      amount,
      taxed: flagOf(params[`itemtaxed${position}`]) === true,
    });
  }
  return lines;
}

/** The newest invoice id of a client (0 when none): invoices created later have larger ids. */
async function newestInvoiceId(clientId: number, ctx: RulesContext): Promise<number> {
  const reply = await ctx.whmcs.call('GetInvoices', {
    userid: clientId,
    orderby: 'id',
    order: 'desc',
    limitnum: 1,
  });
  return rowsOf(reply.invoices).reduce((newest, row) => Math.max(newest, positiveId(row.id) ?? 0), 0);
}

/** Creates an invoice for an Active client; the caps see the sum of its lines. */
export const createInvoiceRules: ActionRules = {
  action: 'CreateInvoice',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const client = await readClientParam(params.userid, ctx, findings);
    if (!client) return findings.outcome();
    const currency = client.currency;
    Object.assign(findings.snapshot, {
      client_status: client.status,
      currency,
      // A newer invoice for this client since validation may already bill the same thing.
      newest_invoice_id: await newestInvoiceId(client.id, ctx),
    });
    if (client.status !== 'Active') {
      findings.problems.push(
        `Client ${client.id} is ${client.status}; invoices are only created for an Active client.`,
      );
    }
    const draft = flagOf(params.draft) === true;
    const statusGiven = !isBlank(params.status);
    const status = draft ? 'Draft' : statusGiven ? invoiceStatus(params.status) : 'Unpaid';
    if (status === undefined) {
      findings.problems.push(
        `${quoted(params.status)} is not a WHMCS invoice status (${INVOICE_STATUSES.join(', ')}).`,
      );
    }
    const sends = flagOf(params.sendinvoice) === true;
    if (draft && sends)
      findings.problems.push('A draft invoice cannot be sent in the same call; create it, then publish it.');
    const rate = isBlank(params.taxrate) ? 0n : taxRateOf(params.taxrate);
    const rate2 = isBlank(params.taxrate2) ? 0n : taxRateOf(params.taxrate2);
    if (rate === undefined || rate2 === undefined)
      findings.problems.push(
        'taxrate and taxrate2 must be percentages with at most three decimals, e.g. "19.000".',
      );
    const lines = numberedLines(params, findings);
    if (findings.problems.length > 0 || status === undefined || rate === undefined || rate2 === undefined)
      return findings.outcome();

    const totals = totalsOf(lines, rate, rate2, 0n);
    findings.impact.push(
      `${clientLabel(client)}: new ${status} invoice in ${currency}, dated ${textOf(params.date) || 'today'}, due ${textOf(params.duedate) || 'on its date'}.`,
      ...lines.map(
        (line) => `Line ${line.position}: ${lineText(line.description, line.amount, line.taxed, currency)}.`,
      ),
    );
    const taxed = lines.some((line) => line.taxed);
    const taxLine =
      totals.tax !== 0n || totals.tax2 !== 0n
        ? `, tax ${money(totals.tax)}${totals.tax2 !== 0n ? ` + ${money(totals.tax2)}` : ''} ${currency}`
        : '';
    findings.impact.push(
      `Subtotal ${money(totals.subtotal)} ${currency}${taxLine}, total ${money(totals.total)} ${currency}.`,
    );
    if (taxed && isBlank(params.taxrate)) {
      findings.impact.push(
        'Taxed lines get the tax WHMCS applies by its own tax settings on top of this total.',
      );
    }
    if (lines.length === 0)
      findings.warnings.push('The invoice has no lines: it bills nothing until lines are added.');
    if (status === 'Paid') {
      findings.warnings.push('The invoice is created already Paid, without any payment being recorded.');
    }
    if (
      flagOf(params.autoapplycredit) === true &&
      status === 'Unpaid' &&
      client.credit > 0n &&
      totals.total > 0n
    ) {
      const applied = minCents(client.credit, totals.total);
      findings.snapshot.client_credit = money(client.credit);
      findings.impact.push(
        `${clientLabel(client)}: credit balance ${money(client.credit)} -> ${money(client.credit - applied)} ${currency}, applied to the new invoice.`,
      );
    }
    if (sends && status !== 'Draft') findings.impact.push('WHMCS e-mails the invoice to the client.');
    findings.capAt(abs(lines.reduce((sum, line) => sum + line.amount, 0n)), currency);
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const clientId = positiveId(intent.params.userid) ?? 0;
    const after = Number(snapshotValue(intent, 'newest_invoice_id') ?? 0);
    const lines = numberedLines(intent.params, new Findings());
    const reply = await ctx.whmcs.call('GetInvoices', {
      userid: clientId,
      orderby: 'id',
      order: 'desc',
      limitnum: 50,
    });
    const newer = rowsOf(reply.invoices)
      .map((row) => positiveId(row.id) ?? 0)
      .filter((id) => id > after);
    const matches: number[] = [];
    for (const id of newer) {
      const invoice = await readInvoice(id, ctx);
      const same =
        invoice !== null &&
        invoice.items.length === lines.length &&
        invoice.items.every((item, index) => {
          const line = lines[index];
          return (
            line !== undefined &&
            item.description === line.description &&
            item.amount === line.amount &&
            item.taxed === line.taxed
          );
        });
      if (same) matches.push(id);
    }
    if (matches.length === 1)
      return {
        state: 'executed',
        evidence: `Invoice ${matches[0]} for client ${clientId} carries exactly these lines.`,
      };
    if (matches.length > 1) {
      return {
        state: 'unknown',
        evidence: `Invoices ${matches.join(', ')} for client ${clientId} all carry these lines; check which one this intent created.`,
      };
    }
    return notSeen(
      intent,
      ctx,
      `No invoice with these lines was created for client ${clientId} after validation.`,
    );
  },
  summarize(reply, params) {
    const status = textOf(reply.status);
    return `Invoice ${textOf(reply.invoiceid)} created for client ${textOf(params.userid)}${status ? ` (${status})` : ''}.`;
  },
};

// ---- UpdateInvoice ---------------------------------------------------------------------------------

/** An array parameter as key -> value, given nested (`itemamount: {12: '5.00'}`) or flat (`itemamount[12]`). */
function keyedParam(params: Record<string, unknown>, base: string): Map<string, unknown> {
  const entries = new Map<string, unknown>();
  const nested = params[base];
  if (Array.isArray(nested)) nested.forEach((value, index) => entries.set(String(index), value));
  else if (isRecord(nested)) for (const [key, value] of Object.entries(nested)) entries.set(key, value);
  else if (!isBlank(nested)) entries.set('', nested);
  const prefix = `${base}[`;
  for (const [name, value] of Object.entries(params)) {
    if (name.startsWith(prefix) && name.endsWith(']') && !name.slice(prefix.length, -1).includes('['))
      entries.set(name.slice(prefix.length, -1), value);
  }
  return entries;
}

/** A list parameter's values in key order (numeric keys numerically), as PHP's array walks them. */
function listedParam(params: Record<string, unknown>, base: string): unknown[] {
  const entries = [...keyedParam(params, base)];
  if (entries.every(([key]) => /^\d+$/.test(key))) entries.sort(([a], [b]) => Number(a) - Number(b));
  return entries.map(([, value]) => value);
}

const OTHER_FIELDS = ['date', 'duedate', 'datepaid', 'notes', 'paymentmethod'] as const;

interface InvoiceEdit {
  lines: InvoiceLine[];
  rate: bigint;
  rate2: bigint;
  credit: Cents;
  /** Lines, tax rates or credit change: what WHMCS 9 forbids on a finalized invoice. */
  changesAmounts: boolean;
  statusAfter: string;
  impact: string[];
}

/** Applies the requested edits to a copy of the invoice, collecting problems and impact lines. */
function editInvoice(
  params: Record<string, unknown>,
  invoice: InvoiceState,
  currency: string,
  findings: Findings,
): InvoiceEdit | null {
  const impact: string[] = [];
  const lines = invoice.items.map((item) => ({ ...item }));
  const descriptions = keyedParam(params, 'itemdescription');
  const amounts = keyedParam(params, 'itemamount');
  const taxedFlags = keyedParam(params, 'itemtaxed');
  for (const key of new Set([...descriptions.keys(), ...amounts.keys(), ...taxedFlags.keys()])) {
    const line = /^\d+$/.test(key) ? lines.find((item) => item.id === Number(key)) : undefined;
    if (!line) {
      findings.problems.push(
        `Invoice ${invoice.id} has no line ${key || '(without an id)'}; line edits name a line id.`,
      );
      continue;
    }
    if (!descriptions.has(key) || !amounts.has(key) || !taxedFlags.has(key)) {
      findings.problems.push(
        `Line ${key}: WHMCS needs itemdescription, itemamount and itemtaxed together for each line it changes.`,
      );
      continue;
    }
    const amount = exactAmount(amounts.get(key));
    if (amount === undefined) {
      findings.problems.push(`itemamount[${key}] must be an exact decimal with at most two places.`);
      continue;
    }
    const taxed = flagOf(taxedFlags.get(key)) === true;
    impact.push(
      `Line ${line.id}: ${lineText(line.description, line.amount, line.taxed, currency)} -> ${lineText(descriptions.get(key), amount, taxed, currency)}.`,
    );
    Object.assign(line, { description: textOf(descriptions.get(key)), amount, taxed });
  }

  const newDescriptions = listedParam(params, 'newitemdescription');
  const newAmounts = listedParam(params, 'newitemamount');
  const newTaxed = listedParam(params, 'newitemtaxed');
  if (newAmounts.length > newDescriptions.length || newTaxed.length > newDescriptions.length) {
    findings.problems.push('Every newitemamount and newitemtaxed needs its newitemdescription.');
  }
  newDescriptions.forEach((description, index) => {
    const amount = exactAmount(newAmounts[index]);
    if (amount === undefined) {
      findings.problems.push(`New line ${index + 1} needs an exact newitemamount with at most two places.`);
      return;
    }
    const taxed = flagOf(newTaxed[index]) === true;
    impact.push(`New line: ${lineText(description, amount, taxed, currency)}.`);
    lines.push({ id: 0, type: '', relId: 0, description: textOf(description), amount, taxed });
  });

  const deleted = new Set<number>();
  for (const value of listedParam(params, 'deletelineids')) {
    const id = positiveId(value);
    const line = id === null ? undefined : lines.find((item) => item.id === id);
    if (!line || id === null) {
      findings.problems.push(`Invoice ${invoice.id} has no line ${textOf(value)} to delete.`);
      continue;
    }
    deleted.add(id);
    impact.push(`Removes line ${id}: ${lineText(line.description, line.amount, line.taxed, currency)}.`);
  }

  const rate = isBlank(params.taxrate) ? taxRateOf(invoice.taxRate) : taxRateOf(params.taxrate);
  const rate2 = isBlank(params.taxrate2) ? taxRateOf(invoice.taxRate2) : taxRateOf(params.taxrate2);
  if (rate === undefined || rate2 === undefined) {
    findings.problems.push(
      'taxrate and taxrate2 must be percentages with at most three decimals, e.g. "19.000".',
    );
  }
  for (const [name, current] of [
    ['taxrate', invoice.taxRate],
    ['taxrate2', invoice.taxRate2],
  ] as const) {
    const next = taxRateOf(params[name]);
    const before = taxRateOf(current);
    if (!isBlank(params[name]) && next !== undefined && before !== undefined && next !== before)
      impact.push(
        `${name === 'taxrate' ? 'Tax rate' : 'Second tax rate'} ${rateText(before)}% -> ${rateText(next)}%.`,
      );
  }
  let credit = invoice.credit;
  if (!isBlank(params.credit)) {
    const given = exactAmount(params.credit);
    if (given === undefined || given < 0n) {
      findings.problems.push('credit must be an exact amount of zero or more with at most two places.');
    } else {
      if (given !== invoice.credit) {
        impact.push(
          `Credit applied ${money(invoice.credit)} -> ${money(given)} ${currency} (the client's credit balance does not change).`,
        );
      }
      credit = given;
    }
  }

  let statusAfter = invoice.status;
  const publishes = flagOf(params.publish) === true || flagOf(params.publishandsendemail) === true;
  if (publishes) {
    if (invoice.status !== 'Draft')
      findings.problems.push(`Invoice ${invoice.id} is ${invoice.status}; only a Draft can be published.`);
    statusAfter = 'Unpaid';
  }
  if (!isBlank(params.status)) {
    const status = invoiceStatus(params.status);
    if (status === undefined) {
      findings.problems.push(
        `${quoted(params.status)} is not a WHMCS invoice status (${INVOICE_STATUSES.join(', ')}).`,
      );
    } else {
      statusAfter = status;
    }
  }
  if (findings.problems.length > 0 || rate === undefined || rate2 === undefined) return null;
  const changesAmounts =
    descriptions.size > 0 ||
    newDescriptions.length > 0 ||
    deleted.size > 0 ||
    !isBlank(params.taxrate) ||
    !isBlank(params.taxrate2) ||
    !isBlank(params.credit);
  return {
    lines: lines.filter((line) => !deleted.has(line.id)),
    rate,
    rate2,
    credit,
    changesAmounts,
    statusAfter,
    impact,
  };
}

function lineKeys(invoice: InvoiceState): string[] {
  return invoice.items.map((item) => `${item.id}:${money(item.amount)}:${item.taxed ? 1 : 0}`);
}

/**
 * Edits an invoice. The caps see what the edit changes in money: the change in total, or the
 * amount the client stops or starts owing through a status change (marking Paid or Cancelled
 * without a payment, publishing a draft), whichever is larger; an edit that touches no amount
 * moves 0.00. When this WHMCS's figures cannot be reproduced from the lines (inclusive or compound
 * tax), the change is not exact and no amount is given, so execution is refused by the caps.
 */
export const updateInvoiceRules: ActionRules = {
  action: 'UpdateInvoice',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readInvoiceAndClient(params.invoiceid, ctx, findings);
    if (!read) return findings.outcome();
    const { invoice, client } = read;
    const currency = client.currency;
    const details = await ctx.whmcs.call('WhmcsDetails', {});
    const version = textOf(isRecord(details.whmcs) ? details.whmcs.version : details.version);
    const rules = whmcsRules(version);
    Object.assign(findings.snapshot, {
      invoice_status: invoice.status,
      invoice_total: money(invoice.total),
      invoice_balance: money(invoice.balance),
      invoice_credit: money(invoice.credit),
      invoice_tax_rates: [invoice.taxRate, invoice.taxRate2],
      invoice_lines: lineKeys(invoice),
      whmcs_rules: rules.line,
      currency,
    });
    const edit = editInvoice(params, invoice, currency, findings);
    if (!edit) return findings.outcome();

    if (edit.changesAmounts && invoice.status !== 'Draft') {
      if (rules.finalized_invoices_immutable) {
        findings.problems.push(
          `Invoice ${invoice.id} is ${invoice.status}, and ${version ? `WHMCS ${version}` : 'this WHMCS (version unreadable)'} keeps finalized invoices immutable: its lines, tax and credit cannot be edited. Correct it with a credit note instead.`,
        );
        return findings.outcome();
      }
      findings.warnings.push(
        `Invoice ${invoice.id} is already ${invoice.status}: the client may have received it with the old amounts.`,
      );
    }

    const paid = netPaid(invoice);
    const modelled = totalsOf(
      invoice.items,
      taxRateOf(invoice.taxRate) ?? 0n,
      taxRateOf(invoice.taxRate2) ?? 0n,
      invoice.credit,
    );
    const next = totalsOf(edit.lines, edit.rate, edit.rate2, edit.credit);
    const shown = (balance: Cents) => (balance > 0n ? balance : 0n);
    // Without amount edits the figures stay WHMCS's own, whatever its tax settings.
    const totalAfter = edit.changesAmounts ? next.total : invoice.total;
    const balanceAfter = edit.changesAmounts ? shown(next.total - paid) : invoice.balance;
    const owedBefore = isOpenInvoiceStatus(invoice.status) ? invoice.balance : 0n;
    const owedAfter = isOpenInvoiceStatus(edit.statusAfter) ? balanceAfter : 0n;
    findings.impact.push(
      `${invoiceLabel(invoice, client)}: total ${money(invoice.total)} -> ${money(totalAfter)} ${currency}, balance ${money(invoice.balance)} -> ${money(balanceAfter)} ${currency}, ${statusChange(invoice.status, edit.statusAfter)}.`,
      ...edit.impact,
    );
    const others = OTHER_FIELDS.filter((name) => !isBlank(params[name]));
    if (others.length > 0) findings.impact.push(`Also sets ${others.join(', ')}.`);
    if (flagOf(params.publishandsendemail) === true)
      findings.impact.push('WHMCS e-mails the published invoice to the client.');
    const settlesWithoutPayment =
      isOpenInvoiceStatus(invoice.status) &&
      ['Paid', 'Cancelled', 'Refunded'].includes(edit.statusAfter) &&
      invoice.balance > 0n;
    if (settlesWithoutPayment) {
      findings.warnings.push(
        `Marking invoice ${invoice.id} ${edit.statusAfter} records no payment: the client stops owing ${money(owedBefore)} ${currency}.`,
      );
    }

    const exact = modelled.total === invoice.total && shown(invoice.total - paid) === invoice.balance;
    const moved = [abs(totalAfter - invoice.total), abs(owedAfter - owedBefore)].reduce((a, b) =>
      a > b ? a : b,
    );
    if (edit.changesAmounts && !exact) {
      findings.warnings.push(
        `WHMCS's figures for invoice ${invoice.id} (total ${money(invoice.total)}) do not follow from its lines under exclusive tax (${money(modelled.total)}), so the change cannot be computed exactly: no amount is given to the caps and execution will be refused.`,
      );
      return findings.outcome();
    }
    if (moved === 0n) findings.impact.push('No amount changes.');
    findings.capAt(moved, currency);
    return findings.outcome();
  },
  async reconcile(intent, ctx) {
    const invoiceId = positiveId(intent.params.invoiceid) ?? 0;
    const before = await readInvoice(invoiceId, ctx);
    if (!before) return { state: 'unknown', evidence: `Invoice ${invoiceId} could not be read.` };
    const snapshot = intent.validation?.snapshot ?? {};
    const expected: [string, string, string][] = [];
    const status = invoiceStatus(intent.params.status);
    const publishes =
      flagOf(intent.params.publish) === true || flagOf(intent.params.publishandsendemail) === true;
    if (status !== undefined || publishes) expected.push(['status', status ?? 'Unpaid', before.status]);
    for (const [param, actual] of [
      ['notes', before.notes],
      ['duedate', before.dueDate],
      ['date', before.date],
      ['paymentmethod', before.paymentMethod],
    ] as const) {
      if (!isBlank(intent.params[param])) expected.push([param, textOf(intent.params[param]), actual]);
    }
    const unchanged =
      before.status === snapshot.invoice_status &&
      money(before.total) === snapshot.invoice_total &&
      JSON.stringify(lineKeys(before)) === JSON.stringify(snapshot.invoice_lines);
    const met = expected.every(([, want, actual]) => want === actual);
    if (met && (expected.length > 0 || !unchanged)) {
      return { state: 'executed', evidence: `Invoice ${invoiceId} shows the requested changes.` };
    }
    if (unchanged)
      return notSeen(intent, ctx, `Invoice ${invoiceId} still shows the state it had at validation.`);
    return {
      state: 'unknown',
      evidence: `Invoice ${invoiceId} changed since validation, but not exactly as requested; check it by hand.`,
    };
  },
  summarize(_reply, params) {
    return `Invoice ${textOf(params.invoiceid)} updated.`;
  },
};

export const INVOICE_RULES: readonly ActionRules[] = [createInvoiceRules, updateInvoiceRules];
