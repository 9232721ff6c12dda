/**
 * Which clients a call may see. In client mode every entity is resolved to its owner before
 * anything is returned, and a foreign entity gets exactly the answer a missing one gets.
 */
import { WhmcsMcpError } from '../errors.js';

export type EntityKind =
  | 'client'
  | 'invoice'
  | 'service'
  | 'domain'
  | 'ticket'
  | 'order'
  | 'transaction'
  | 'quote'
  | 'contact'
  | 'addon';

const ENTITY_LABELS: Record<EntityKind, string> = {
  client: 'Client',
  invoice: 'Invoice',
  service: 'Service',
  domain: 'Domain',
  ticket: 'Ticket',
  order: 'Order',
  transaction: 'Transaction',
  quote: 'Quote',
  contact: 'Contact',
  addon: 'Addon',
};

/** The one not-found answer for an entity, used for missing and foreign ids alike. */
export function entityNotFound(kind: EntityKind, id: number | string): WhmcsMcpError {
  return new WhmcsMcpError('not_found', `${ENTITY_LABELS[kind]} ${String(id)} was not found.`, {
    details: { entity: kind, id },
  });
}

export class ClientScope {
  private readonly allowed: ReadonlySet<number> | undefined;

  private constructor(allowed: ReadonlySet<number> | undefined) {
    this.allowed = allowed;
  }

  static admin(): ClientScope {
    return new ClientScope(undefined);
  }

  static clients(ids: Iterable<number>): ClientScope {
    return new ClientScope(new Set(ids));
  }

  /**
   * The scope of a call: the server's access mode narrowed by the principal's own binding. A
   * principal bound to clients outside the server's list ends up with the intersection.
   */
  static resolve(
    serverClientIds: readonly number[] | undefined,
    principalClientIds: readonly number[] | undefined,
  ) {
    if (serverClientIds === undefined && principalClientIds === undefined) return ClientScope.admin();
    if (serverClientIds === undefined) return ClientScope.clients(principalClientIds ?? []);
    if (principalClientIds === undefined) return ClientScope.clients(serverClientIds);
    const server = new Set(serverClientIds);
    return ClientScope.clients(principalClientIds.filter((id) => server.has(id)));
  }

  get mode(): 'admin' | 'client' {
    return this.allowed === undefined ? 'admin' : 'client';
  }

  /** Sorted client ids in client mode; undefined in admin mode. */
  get clientIds(): readonly number[] | undefined {
    return this.allowed === undefined ? undefined : [...this.allowed].sort((a, b) => a - b);
  }

  allows(clientId: number | undefined | null): boolean {
    if (this.allowed === undefined) return true;
    return clientId !== undefined && clientId !== null && this.allowed.has(clientId);
  }

  /** Throws the entity's not-found answer when its owner is outside the scope. */
  assertOwner(kind: EntityKind, id: number | string, ownerClientId: number | undefined | null): void {
    if (!this.allows(ownerClientId)) throw entityNotFound(kind, id);
  }
}
