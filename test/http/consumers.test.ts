/**
 * The consumer registry: tokens and their hashes, the file (atomic, 0600, never a token), the
 * running registry's reload on change (failing closed on a broken file), and the
 * `whmcs-mcp consumers add|list|revoke` commands through the real CLI frame.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import {
  ConsumersFileError,
  addConsumerRecord,
  emptyConsumersFile,
  parseConsumersFile,
  readConsumersFile,
  revokeConsumerRecord,
  writeConsumersFile,
} from '../../src/consumers/file.js';
import { ConsumerRegistry } from '../../src/consumers/registry.js';
import {
  generateConsumerToken,
  hashConsumerToken,
  isConsumerToken,
  matchTokenHash,
} from '../../src/consumers/tokens.js';
import { captureIo, removeCapturedDirectories } from '../cli/io.js';

afterEach(() => removeCapturedDirectories());

const silent = pino({ level: 'silent' });
const NOW = new Date('2026-03-01T10:00:00.000Z');

describe('consumer tokens', () => {
  it('are wmcp_ plus 32 random bytes in base64url, never twice the same', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => generateConsumerToken()));
    expect(tokens.size).toBe(50);
    for (const token of tokens) {
      expect(token).toMatch(/^wmcp_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.slice(5), 'base64url')).toHaveLength(32);
      expect(isConsumerToken(token)).toBe(true);
    }
    expect(isConsumerToken('eyJhbGciOiJSUzI1NiJ9.e30.c2ln')).toBe(false);
    expect(isConsumerToken(`wmcp_${'A'.repeat(42)}`)).toBe(false);
  });

  it('are stored as their SHA-256 and matched against every candidate', () => {
    const [first, second] = [generateConsumerToken(), generateConsumerToken()];
    const hashes = [hashConsumerToken(first), hashConsumerToken(second)];
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(hashes[0]).not.toContain(first.slice(5, 15));
    expect(matchTokenHash(second, hashes)).toBe(1);
    expect(matchTokenHash(first, hashes)).toBe(0);
    expect(matchTokenHash(generateConsumerToken(), hashes)).toBe(-1);
    expect(matchTokenHash(first, [])).toBe(-1);
  });
});

describe('the consumers file', () => {
  it('adds, revokes and never reuses a label', () => {
    let file = addConsumerRecord(
      emptyConsumersFile(),
      { label: 'support-bot', roles: ['reader'], clientIds: [42, 7, 42], toolsets: ['clients', 'support'] },
      hashConsumerToken(generateConsumerToken()),
      NOW,
    );
    expect(file.consumers[0]).toMatchObject({
      label: 'support-bot',
      roles: ['reader'],
      client_ids: [7, 42],
      toolsets: ['clients', 'support'],
      created_at: NOW.toISOString(),
      revoked_at: null,
    });
    expect(() =>
      addConsumerRecord(file, { label: 'support-bot', roles: ['reader'] }, hashConsumerToken('x'), NOW),
    ).toThrow(/already exists/);
    file = revokeConsumerRecord(file, 'support-bot', NOW);
    expect(file.consumers[0]?.revoked_at).toBe(NOW.toISOString());
    expect(() =>
      addConsumerRecord(file, { label: 'support-bot', roles: ['reader'] }, hashConsumerToken('x'), NOW),
    ).toThrow(/never reused/);
    expect(() => revokeConsumerRecord(file, 'support-bot', NOW)).toThrow(/already revoked/);
    expect(() => revokeConsumerRecord(file, 'nobody', NOW)).toThrow(/No consumer/);
    expect(() =>
      addConsumerRecord(file, { label: 'Upper Case', roles: ['reader'] }, hashConsumerToken('y'), NOW),
    ).toThrow(/not a usable label/);
  });

  it('refuses a malformed file, naming the entry and field but no value', () => {
    const hash = hashConsumerToken(generateConsumerToken());
    const bad = JSON.stringify({
      version: 1,
      consumers: [
        {
          label: 'a',
          token_sha256: hash,
          roles: ['superuser'],
          created_at: NOW.toISOString(),
          revoked_at: null,
        },
      ],
    });
    expect(() => parseConsumersFile(bad, 'consumers.json')).toThrow(/consumers\.0\.roles\.0/);
    expect(() => parseConsumersFile('{', 'consumers.json')).toThrow(/not valid JSON/);
    const twice = JSON.stringify({
      version: 1,
      consumers: ['a', 'b'].map((label) => ({
        label,
        token_sha256: hash,
        roles: ['reader'],
        created_at: NOW.toISOString(),
        revoked_at: null,
      })),
    });
    expect(() => parseConsumersFile(twice, 'consumers.json')).toThrow(/token_sha256: is used twice/);
  });

  it('is written atomically with mode 0600 and leaves no temporary file behind', () => {
    const { cwd } = captureIo();
    const path = join(cwd, 'consumers.json');
    writeConsumersFile(path, emptyConsumersFile());
    writeConsumersFile(
      path,
      addConsumerRecord(emptyConsumersFile(), { label: 'a', roles: ['reader'] }, hashConsumerToken('t'), NOW),
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(cwd)).toEqual(['consumers.json']);
    expect(readConsumersFile(path).consumers).toHaveLength(1);
  });
});

describe('the running registry', () => {
  it('sees additions and revocations as soon as the file changes, and fails closed on a broken file', async () => {
    const { cwd } = captureIo();
    const path = join(cwd, 'consumers.json');
    writeConsumersFile(path, emptyConsumersFile());
    const registry = await ConsumerRegistry.open(path, silent);
    const token = generateConsumerToken();
    expect(await registry.authenticate(token)).toBeNull();

    writeConsumersFile(
      path,
      addConsumerRecord(
        readConsumersFile(path),
        { label: 'agent', roles: ['reader', 'operator'], clientIds: [5], toolsets: ['billing'] },
        hashConsumerToken(token),
        NOW,
      ),
    );
    expect(await registry.authenticate(token)).toEqual({
      id: 'consumer:agent',
      label: 'agent',
      roles: ['reader', 'operator'],
      clientScope: [5],
      toolsets: ['billing'],
      transport: 'http',
    });
    expect(registry.isActive('consumer:agent')).toBe(true);

    const valid = readFileSync(path, 'utf8');
    writeFileSync(path, '{ not json');
    expect(await registry.authenticate(token)).toBeNull();
    expect(registry.status().valid).toBe(false);

    writeFileSync(path, valid);
    expect(await registry.authenticate(token)).not.toBeNull();

    writeConsumersFile(path, revokeConsumerRecord(readConsumersFile(path), 'agent', NOW));
    expect(await registry.authenticate(token)).toBeNull();
    expect(registry.isActive('consumer:agent')).toBe(false);
  });

  it('refuses to open a missing file', async () => {
    const { cwd } = captureIo();
    await expect(ConsumerRegistry.open(join(cwd, 'missing.json'), silent)).rejects.toThrow(
      ConsumersFileError,
    );
  });
});

describe('whmcs-mcp consumers', () => {
  it('adds a consumer, printing its token once on stdout and storing only its hash', async () => {
    const io = captureIo({ MCP_CONSUMERS_FILE: './data/consumers.json' });
    const code = await runCli(
      [
        'consumers',
        'add',
        '--label',
        'support-bot',
        '--roles',
        'reader',
        '--clients',
        '42',
        '--toolsets',
        'clients,support',
      ],
      io,
    );
    expect(code).toBe(0);
    const token = io.stdout.text.trim();
    expect(isConsumerToken(token)).toBe(true);
    expect(io.stderr.text).toMatch(/shown this once/);
    expect(io.stderr.text).not.toContain(token);

    const path = join(io.cwd, 'data', 'consumers.json');
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(token);
    expect(text).toContain(hashConsumerToken(token));
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const listed = captureIo({ MCP_CONSUMERS_FILE: path });
    expect(await runCli(['consumers', 'list', '--json'], listed)).toBe(0);
    expect(JSON.parse(listed.stdout.text)).toEqual({
      consumers: [
        {
          label: 'support-bot',
          roles: ['reader'],
          client_ids: [42],
          toolsets: ['clients', 'support'],
          created_at: expect.any(String),
          revoked_at: null,
        },
      ],
    });
    const plain = captureIo({ MCP_CONSUMERS_FILE: path });
    expect(await runCli(['consumers', 'list'], plain)).toBe(0);
    expect(plain.stdout.text).toMatch(/support-bot {2}active/);
    for (const output of [listed.stdout.text, plain.stdout.text]) {
      expect(output).not.toContain(token);
      expect(output).not.toContain(hashConsumerToken(token));
    }
  });

  it('revokes by label, and refuses to reuse the label', async () => {
    const io = captureIo();
    const path = join(io.cwd, 'consumers.json');
    expect(
      await runCli(['consumers', 'add', '--file', path, '--label', 'bot', '--roles', 'reader'], io),
    ).toBe(0);
    const revoke = captureIo();
    expect(await runCli(['consumers', 'revoke', '--file', path, '--label', 'bot'], revoke)).toBe(0);
    expect(readConsumersFile(path).consumers[0]?.revoked_at).not.toBeNull();
    const again = captureIo();
    expect(
      await runCli(['consumers', 'add', '--file', path, '--label', 'bot', '--roles', 'reader'], again),
    ).toBe(1);
    expect(again.stderr.text).toMatch(/never reused/);
    expect(again.stdout.text).toBe('');
  });

  it('refuses unknown roles or toolsets and a missing file setting as usage errors', async () => {
    const io = captureIo({ MCP_CONSUMERS_FILE: 'consumers.json' });
    expect(await runCli(['consumers', 'add', '--label', 'x', '--roles', 'superuser'], io)).toBe(2);
    expect(io.stderr.text).toMatch(/unknown role superuser/);
    const toolsets = captureIo({ MCP_CONSUMERS_FILE: 'consumers.json' });
    expect(
      await runCli(['consumers', 'add', '--label', 'x', '--roles', 'reader', '--toolsets', 'fun'], toolsets),
    ).toBe(2);
    const unset = captureIo();
    expect(await runCli(['consumers', 'list'], unset)).toBe(2);
    expect(unset.stderr.text).toMatch(/MCP_CONSUMERS_FILE/);
  });
});
