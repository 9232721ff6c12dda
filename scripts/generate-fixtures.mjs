#!/usr/bin/env node
// Writes test/fixtures/whmcs/<Action>.json: the official example reply of every WHMCS action in
// data/whmcs-catalog.json, exactly as documented (flattened notation and oddities included), so the
// normalizer and sandbox tests run against committed data.
//   node scripts/generate-fixtures.mjs           write the fixtures (and remove ones for vanished actions)
//   node scripts/generate-fixtures.mjs --check   exit 1 when a committed fixture is missing, stale or extra
//   --catalog <path>                             read another catalog (tests use it for drift)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CATALOG_PATH = fileURLToPath(new URL('../data/whmcs-catalog.json', import.meta.url));
const FIXTURES_DIR = fileURLToPath(new URL('../test/fixtures/whmcs/', import.meta.url));
const FIXTURES_NAME = 'test/fixtures/whmcs';

function compareNames(left, right) {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The fixture files for a parsed catalog: file name -> file text, sorted by action name. */
export function renderFixtures(catalog) {
  const files = {};
  for (const name of Object.keys(catalog.actions).sort(compareNames)) {
    files[`${name}.json`] = JSON.stringify(catalog.actions[name].exampleResponse ?? null, null, 2) + '\n';
  }
  return files;
}

export function readCatalog(path = CATALOG_PATH) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function committedFixtureNames() {
  if (!existsSync(FIXTURES_DIR)) return [];
  return readdirSync(FIXTURES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort(compareNames);
}

/** Differences between the committed fixtures and what the catalog produces, one line each. */
export function findFixtureDrift(files) {
  const problems = [];
  const committed = new Set(committedFixtureNames());
  for (const [file, text] of Object.entries(files)) {
    if (!committed.has(file)) problems.push(`${file} is missing`);
    else if (readFileSync(join(FIXTURES_DIR, file), 'utf8') !== text) problems.push(`${file} is stale`);
  }
  for (const file of committed) {
    if (!Object.hasOwn(files, file)) problems.push(`${file} has no action in the catalog`);
  }
  return problems;
}

function optionValue(argv, option) {
  const index = argv.indexOf(option);
  return index >= 0 ? argv[index + 1] : undefined;
}

function main(argv) {
  const catalogPath = optionValue(argv, '--catalog');
  const files = renderFixtures(readCatalog(catalogPath ? resolve(catalogPath) : CATALOG_PATH));
  if (argv.includes('--check')) {
    const problems = findFixtureDrift(files);
    if (problems.length > 0) {
      const shown = problems.slice(0, 10).join('\n  ');
      const more = problems.length > 10 ? `\n  ... and ${problems.length - 10} more` : '';
      console.error(
        `${FIXTURES_NAME} differs from data/whmcs-catalog.json:\n  ${shown}${more}\n` +
          'run: node scripts/generate-fixtures.mjs',
      );
      return 1;
    }
    console.error(`${FIXTURES_NAME}: ${Object.keys(files).length} fixtures are up to date`);
    return 0;
  }
  mkdirSync(FIXTURES_DIR, { recursive: true });
  for (const file of committedFixtureNames()) {
    if (!Object.hasOwn(files, file)) rmSync(join(FIXTURES_DIR, file));
  }
  for (const [file, text] of Object.entries(files)) writeFileSync(join(FIXTURES_DIR, file), text);
  console.error(`wrote ${Object.keys(files).length} fixtures to ${FIXTURES_NAME}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
}
