/**
 * A console visitor without a browser: plain fetch with the session cookie carried by hand, the
 * CSRF token read from the last page, and redirects left unfollowed so tests see them.
 */
import { callOk } from '../helpers/mcp-harness.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

export interface ConsolePage {
  status: number;
  headers: Headers;
  body: string;
}

const CSRF_FIELD = /name="csrf" value="([^"]+)"/;

export class ConsoleVisitor {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(readonly baseUrl: string) {}

  private remember(response: Response): void {
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const [pair] = setCookie.split(';');
      const value = pair!.slice(pair!.indexOf('=') + 1);
      this.cookie = value === '' ? undefined : pair;
    }
  }

  private async read(response: Response): Promise<ConsolePage> {
    this.remember(response);
    const body = await response.text();
    const csrf = CSRF_FIELD.exec(body)?.[1];
    if (csrf) this.csrf = csrf;
    return { status: response.status, headers: response.headers, body };
  }

  async get(path: string): Promise<ConsolePage> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      redirect: 'manual',
      headers: this.cookie ? { Cookie: this.cookie } : {},
    });
    return this.read(response);
  }

  /** A form post as the console's own page sends it (same origin), unless headers say otherwise. */
  async post(
    path: string,
    fields: Record<string, string | string[]>,
    headers: Record<string, string> = { Origin: this.baseUrl },
  ): Promise<ConsolePage> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...headers,
      },
      body: form.toString(),
    });
    return this.read(response);
  }

  /** Signs in with a token and lands on the pending page. */
  async signIn(token: string): Promise<ConsolePage> {
    await this.get('/console/sign-in');
    const answer = await this.post('/console/sign-in', { csrf: this.csrf!, token });
    if (answer.status !== 303)
      throw new Error(`sign-in failed with ${answer.status}: ${answer.body.slice(0, 500)}`);
    return this.get('/console/');
  }
}

/** Drafts a 10.00 credit for a client through MCP, as an agent would; returns the intent id. */
export async function draftCredit(agent: Client, clientId: number, reason: string, amount = '10.00') {
  const drafted = await callOk(agent, 'add_credit', { client_id: clientId, amount, reason });
  return { id: String(drafted.id), state: String(drafted.state), intent: drafted };
}
