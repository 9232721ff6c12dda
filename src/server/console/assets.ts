/**
 * The console's stylesheet and its one small script, served from /console/assets/ so the
 * Content-Security-Policy can forbid inline code. They live in this module, not in loose files,
 * so the built package carries them without a copy step. Every page works without the script;
 * it only asks for confirmation, prevents double submission and shows local times.
 */
import { createHash } from 'node:crypto';

export const CONSOLE_STYLESHEET = `
:root {
  color-scheme: light;
  --ink: #1d2430;
  --muted: #5b6677;
  --line: #d7dce4;
  --paper: #ffffff;
  --ground: #f3f5f8;
  --accent: #1f5fbf;
  --ok: #17683a;
  --ok-ground: #e5f4ea;
  --warn: #8a5300;
  --warn-ground: #fff4df;
  --bad: #a4161a;
  --bad-ground: #fdeaea;
}
* { box-sizing: border-box; }
body {
  margin: 0;
  font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  color: var(--ink);
  background: var(--ground);
}
header.top {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 0.5rem 1.5rem;
  padding: 0.6rem 1.5rem;
  background: #17202e;
  color: #fff;
}
header.top .brand { font-weight: 700; letter-spacing: 0.02em; }
header.top nav { display: flex; gap: 1rem; flex: 1; }
header.top nav a { color: #c9d6ea; text-decoration: none; padding: 0.2rem 0; }
header.top nav a[aria-current='page'] { color: #fff; border-bottom: 2px solid #fff; }
header.top .who { color: #c9d6ea; font-size: 0.9rem; }
header.top form { margin: 0; }
header.top button { background: transparent; color: #fff; border: 1px solid #6d7d96; }
.statebar {
  display: flex;
  flex-wrap: wrap;
  gap: 0.4rem 1.2rem;
  padding: 0.45rem 1.5rem;
  background: var(--paper);
  border-bottom: 1px solid var(--line);
  font-size: 0.9rem;
  color: var(--muted);
}
.statebar strong { color: var(--ink); }
.statebar .engaged { color: var(--bad); font-weight: 700; }
main { max-width: 1100px; margin: 0 auto; padding: 1.2rem 1.5rem 3rem; }
h1 { font-size: 1.45rem; margin: 0.4rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 0.6rem; }
h3 { font-size: 1.05rem; margin: 0; }
a { color: var(--accent); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.86em; }
.muted { color: var(--muted); }
.notice { padding: 0.7rem 1rem; border-radius: 6px; margin: 0 0 1rem; border: 1px solid; }
.notice p { margin: 0.2rem 0 0; }
.notice.ok { background: var(--ok-ground); border-color: #9fd3b0; color: var(--ok); }
.notice.error { background: var(--bad-ground); border-color: #f0a8aa; color: var(--bad); }
.notice.warn { background: var(--warn-ground); border-color: #f1cf8f; color: var(--warn); }
.card {
  background: var(--paper);
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 1rem 1.2rem;
  margin: 0 0 1rem;
}
.card header { display: flex; flex-wrap: wrap; gap: 0.4rem 0.8rem; align-items: baseline; margin-bottom: 0.5rem; }
.badge {
  display: inline-block;
  padding: 0.05rem 0.5rem;
  border-radius: 999px;
  font-size: 0.78rem;
  font-weight: 600;
  text-transform: uppercase;
  letter-spacing: 0.03em;
  background: #e6ebf2;
  color: #2c3a50;
}
.badge.validated, .badge.approved { background: #e3ecfb; color: #1f4f9a; }
.badge.executed { background: var(--ok-ground); color: var(--ok); }
.badge.failed, .badge.invalid, .badge.rejected, .badge.unknown { background: var(--bad-ground); color: var(--bad); }
.badge.risk-high { background: var(--bad-ground); color: var(--bad); }
.badge.risk-medium { background: var(--warn-ground); color: var(--warn); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.4rem 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
ul.impact { margin: 0.3rem 0; padding-left: 1.2rem; }
ul.impact li { font-weight: 600; }
ul.warnings { margin: 0.3rem 0; padding-left: 1.2rem; color: var(--warn); }
ul.problems { margin: 0.3rem 0; padding-left: 1.2rem; color: var(--bad); }
.reason { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--ground); padding: 0.4rem 0.6rem; border-radius: 4px; }
details { margin: 0.5rem 0; }
summary { cursor: pointer; color: var(--accent); }
.decide { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 0.8rem; padding-top: 0.8rem; border-top: 1px dashed var(--line); }
.decide form { flex: 1 1 300px; display: flex; flex-direction: column; gap: 0.4rem; }
.decide label { font-size: 0.9rem; display: flex; flex-direction: column; gap: 0.2rem; }
.decide label:has(input[type='checkbox']) { flex-direction: row; align-items: baseline; gap: 0.4rem; }
.decide input[type='text'] { width: 100%; }
.decide > .notice { flex-basis: 100%; margin: 0; }
input[type='text'], input[type='password'], input[type='date'], input[type='number'], select {
  font: inherit;
  padding: 0.35rem 0.5rem;
  border: 1px solid #b9c2cf;
  border-radius: 4px;
  background: #fff;
}
button {
  font: inherit;
  padding: 0.4rem 0.9rem;
  border-radius: 4px;
  border: 1px solid #8a96a8;
  background: #fff;
  cursor: pointer;
}
button.approve { background: var(--ok); border-color: var(--ok); color: #fff; }
button.reject, button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
button:disabled { opacity: 0.6; cursor: progress; }
form.filters { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: end; margin-bottom: 1rem; }
form.filters label { display: flex; flex-direction: column; font-size: 0.85rem; color: var(--muted); }
table { width: 100%; border-collapse: collapse; background: var(--paper); border: 1px solid var(--line); }
th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; font-size: 0.9rem; }
th { background: #eef1f5; font-weight: 600; }
td.detail { max-width: 28rem; overflow-wrap: anywhere; }
.pager { display: flex; gap: 1rem; align-items: center; margin: 0.8rem 0; }
.signin { max-width: 30rem; margin: 4rem auto; }
.signin form { display: flex; flex-direction: column; gap: 0.6rem; }
.verified { font-weight: 700; color: var(--ok); }
.broken { font-weight: 700; color: var(--bad); }
`;

export const CONSOLE_SCRIPT = `'use strict';
// Asks before a form marked data-confirm is sent, and disables its buttons once it is.
document.addEventListener('submit', function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  var question = form.getAttribute('data-confirm');
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  window.setTimeout(function () {
    var buttons = form.querySelectorAll('button');
    for (var i = 0; i < buttons.length; i += 1) buttons[i].disabled = true;
  }, 0);
});
// Coming back through the history cache, buttons disabled above would stay disabled.
window.addEventListener('pageshow', function () {
  var buttons = document.querySelectorAll('button:disabled');
  for (var i = 0; i < buttons.length; i += 1) buttons[i].disabled = false;
});
// Times are written in UTC; the reader's local time goes in the tooltip.
document.addEventListener('DOMContentLoaded', function () {
  var times = document.querySelectorAll('time[datetime]');
  for (var i = 0; i < times.length; i += 1) {
    var when = new Date(times[i].getAttribute('datetime'));
    if (!isNaN(when.getTime())) times[i].title = when.toLocaleString();
  }
});
`;

export interface ConsoleAsset {
  body: string;
  contentType: string;
  etag: string;
}

function asset(body: string, contentType: string): ConsoleAsset {
  return {
    body,
    contentType,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
  };
}

export const CONSOLE_ASSETS: ReadonlyMap<string, ConsoleAsset> = new Map([
  ['/console/assets/console.css', asset(CONSOLE_STYLESHEET, 'text/css; charset=utf-8')],
  ['/console/assets/console.js', asset(CONSOLE_SCRIPT, 'text/javascript; charset=utf-8')],
]);
