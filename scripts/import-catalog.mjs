#!/usr/bin/env node
// Copies the WHMCS External API catalog into data/whmcs-catalog.json, keeping only the fields the
// project derives code and fixtures from. Run it by hand when the upstream catalog changes:
//   node scripts/import-catalog.mjs path/to/catalog.json
// Nothing at run or test time reads the original; generators read the committed copy.
import { readFileSync, writeFileSync } from 'node:fs';

const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/import-catalog.mjs <catalog.json>');
  process.exit(2);
}

const catalog = JSON.parse(readFileSync(source, 'utf8'));
const actions = {};
for (const name of Object.keys(catalog.actions).sort()) {
  const entry = catalog.actions[name];
  actions[name] = {
    action: entry.action,
    summary: entry.summary,
    request: entry.request.map(({ name: param, type, required, description }) => ({
      name: param,
      type,
      required: Boolean(required),
      description: description ?? '',
    })),
    response: entry.response.map(({ name: field, type, description }) => ({
      name: field,
      type,
      description: description ?? '',
    })),
    exampleResponse: entry.exampleResponse ?? null,
    errors: entry.errors ?? [],
    versions: entry.versions ?? [],
  };
}

const out = new URL('../data/whmcs-catalog.json', import.meta.url);
writeFileSync(out, JSON.stringify({ source: catalog.source, actions }, null, 1) + '\n');
console.error(`imported ${Object.keys(actions).length} actions into data/whmcs-catalog.json`);
