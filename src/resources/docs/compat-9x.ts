/**
 * WHMCS 8.x versus 9.x, as far as this server is concerned: served as whmcs://docs/compat-9x.
 */
export const COMPAT_9X = `# WHMCS 8.x and 9.x: what differs for this server

This server speaks the WHMCS External API, which keeps the same protocol, authentication and reply
shapes in 8.x and 9.x. The differences that matter are in billing rules, and they change what a
write may do, not how a read looks.

## Which version am I talking to?

- \`get_whmcs_details\` calls WHMCS's \`WhmcsDetails\` action and returns the version WHMCS reports
  (for example \`8.13.1\` or \`9.0.1\`). Read it before any billing change and whenever an answer
  looks surprising; do not infer the version from behaviour.
- \`whmcs-mcp doctor\` shows the same version when it checks the connection.
- \`get_capability_matrix\` shows which actions this credential may call; version rules sit on top.
- The built-in sandbox reports \`8.13.1\` by default and applies WHMCS 8 billing rules.

## Invoices: editable in 8, immutable once finalized in 9

| | WHMCS 8.x | WHMCS 9.x |
| --- | --- | --- |
| Draft invoice | Editable | Editable |
| Finalized invoice (issued: Unpaid, Paid, Overdue, Collections, ...) | Items, amounts, dates and notes can still be changed with \`UpdateInvoice\` | Immutable: amounts and items cannot be changed |
| Correcting a finalized invoice | Edit it in place | Issue a credit note against it |

What this means here:

- A write intent that edits a finalized invoice works on 8.x and is refused on 9.x. Check the
  version and the invoice status before drafting one; do not work around a refusal by cancelling
  and recreating invoices.
- To reduce what a client owes on 9.x, use the credit note flow (or add credit and apply it);
  the impact statement shows the balance before and after.
- Readers never recompute an invoice from its items. Status, total and balance are what WHMCS
  reports, so reports stay correct on both versions: the receivables aging uses each invoice's
  balance (total less payments, net of refunds), and the revenue report reads transactions, the
  money that actually moved, so a credit note that moves no money does not change revenue.

## Credit notes

- Credit notes exist from 9.0 and reference the invoice they correct. On 8.x the same correction
  is an edit of the invoice or a credit added to the client.
- Actions that WHMCS documents only for 9.x are not in this server's action catalog (162 actions
  from the 8.x reference); the gateway refuses undocumented actions rather than guessing their
  parameters. Use the dedicated tools for credit-note flows when they are offered.

## Before upgrading WHMCS from 8.x to 9.x

1. Run the production test harness read-only against staging with the new version.
2. Compare \`get_whmcs_details\` and \`get_capability_matrix\` before and after: an upgrade can
   reset API roles.
3. Drain pending write intents first: an intent validated against 8.x rules should be validated
   again (or cancelled) after the upgrade, because execution re-reads the preconditions.
4. Tell operators that invoice corrections now go through credit notes.
`;
