import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WhmcsMcpError } from '../../src/errors.js';
import { createLogger } from '../../src/logging/logger.js';

class CapturedStream extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Distinctive values planted under sensitive keys; none may reach the output. */
const SECRETS = {
  password: 'Pw-plant-0001',
  password2: 'Pw2-plant-0002',
  passwd: 'Passwd-plant-0003',
  secret: 'Secret-plant-0004',
  identifier: 'Ident-plant-0005',
  accesskey: 'AccessKey-plant-0006',
  access_key: 'Access_Key-plant-0007',
  token: 'Token-plant-0008',
  auth_token: 'AuthToken-plant-0009',
  authorization: 'Authorization-plant-0010',
  cookie: 'Cookie-plant-0011',
  apikey: 'ApiKey-plant-0012',
  api_key: 'Api_Key-plant-0013',
  securityqans: 'SecurityQans-plant-0014',
  securityqanswer: 'SecurityQAnswer-plant-0015',
  cardnum: 'Cardnum-plant-0016',
  cardnumber: 'CardNumber-plant-0017',
  cccvv: 'Cccvv-plant-0018',
  cvv: 'Cvv-plant-0019',
  ccnumber: 'CcNumber-plant-0020',
  bankacct: 'BankAcct-plant-0021',
};

/** Luhn-valid test cards in the layouts people paste them in. */
const CARDS = ['4111111111111111', '5555 5555 5555 4444', '3782-822463-10005', '6011 0000 0000 0000 001'];

function digitsOf(card: string): string {
  return card.replace(/\D/g, '');
}

function plantEverywhere(logger: ReturnType<typeof createLogger>): void {
  const [visa = '', master = '', amex = '', discover = ''] = CARDS;
  logger.info(
    {
      client: { firstname: 'Ann', email: 'ann@example.test', ...SECRETS },
      services: [{ domain: 'ann.example', password: SECRETS.password }, [{ WHMCS_SECRET: SECRETS.secret }]],
      note: `customer wrote: my card is ${visa}`,
    },
    `paying invoice 1042 with ${master}`,
  );
  const error = new WhmcsMcpError('upstream_error', `gateway refused ${amex}`, {
    internal: `{"result":"error","password":"${SECRETS.password2}","cardnum":"${digitsOf(discover)}"}`,
    details: { invoiceid: 1042, apikey: SECRETS.apikey },
    cause: Object.assign(new Error(`socket closed after identifier=${SECRETS.identifier}`), {
      token: SECRETS.token,
    }),
  });
  logger.error(error);
  logger.warn({ err: error, attempt: 2 }, 'retrying');
  logger.child({ auth_token: SECRETS.auth_token, module: 'billing' }).info('child logger says %s', discover);
  logger.info('request body action=GetClients&secret=%s&accesskey=%s', SECRETS.secret, SECRETS.accesskey);
}

function assertClean(output: string): void {
  for (const [key, value] of Object.entries(SECRETS)) expect(output, key).not.toContain(value);
  for (const card of CARDS) {
    expect(output).not.toContain(card);
    expect(output).not.toContain(digitsOf(card));
    expect(output.replace(/[ -]/g, '')).not.toContain(digitsOf(card));
  }
}

describe('createLogger redaction', () => {
  it('keeps every planted secret and card number out of JSON output, and the neighbours in', () => {
    const stream = new CapturedStream();
    plantEverywhere(createLogger({ destination: stream, level: 'debug' }));
    const output = stream.text;
    assertClean(output);

    const lines = output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(output).toContain('ann@example.test');
    expect(output).toContain('ann.example');
    expect(output).toContain('paying invoice 1042 with **** **** **** 4444');
    expect(output).toContain('my card is ************1111');
    expect(output).toContain('"module":"billing"');
    expect(output).toContain('"invoiceid":1042');
    expect(output).toContain('[redacted]');
    expect(lines[1]).toMatchObject({
      msg: 'gateway refused ****-******-*0005',
      err: { type: 'WhmcsMcpError', code: 'upstream_error', message: 'gateway refused ****-******-*0005' },
    });
    expect(lines[2]).toMatchObject({ msg: 'retrying', attempt: 2, err: { code: 'upstream_error' } });
  });

  it('redacts the pretty format too', () => {
    const stream = new CapturedStream();
    plantEverywhere(createLogger({ destination: stream, format: 'pretty' }));
    assertClean(stream.text);
    expect(stream.text).toContain('ann@example.test');
    expect(stream.text).toContain('child logger says **** **** **** ***0 001');
    expect(stream.text).not.toContain('{"level"');
  });

  it('honours the level', () => {
    const stream = new CapturedStream();
    const logger = createLogger({ destination: stream, level: 'warn' });
    logger.info('not shown');
    logger.warn('shown');
    expect(stream.text).not.toContain('not shown');
    expect(stream.text).toContain('shown');
  });

  it('refuses stdout as a destination', () => {
    expect(() => createLogger({ destination: 1 })).toThrow(/stdout/);
  });
});

describe('createLogger default destination', () => {
  const script = fileURLToPath(new URL('./fixtures/log-to-default.ts', import.meta.url));

  it.each(['json', 'pretty'])('writes %s lines to stderr and nothing to stdout', (format) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, format], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('hello from the default destination');
    expect(run.stderr).not.toContain('Secret-plant-0004');
  });
});
