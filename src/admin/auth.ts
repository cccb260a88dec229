/**
 * Bearer-token auth with two roles. Tokens are compared as SHA-256 digests with timingSafeEqual,
 * so neither a token's content nor its length leaks through response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { WD_ERR_FORBIDDEN, WD_ERR_UNAUTHORIZED } from '../infra/errors.ts';

export type Role = 'viewer' | 'operator';
export interface TokenEntry {
  name: string;
  role: Role;
  token: string;
}
export interface Principal {
  name: string;
  role: Role;
}

/** The name actions are recorded under: the token's configured name (auth ran before any handler). */
export const actorName = (principal: Principal | undefined): string => principal?.name ?? 'anonymous';

const RANK: Record<Role, number> = { viewer: 1, operator: 2 };
const digest = (value: string) => createHash('sha256').update(value).digest();

export class TokenAuth {
  readonly #entries: { name: string; role: Role; digest: Buffer }[];

  constructor(tokens: readonly TokenEntry[]) {
    this.#entries = tokens.map((t) => ({ name: t.name, role: t.role, digest: digest(t.token) }));
  }

  /** No tokens configured: the config only allows that on a loopback address, where all may act. */
  get open(): boolean {
    return this.#entries.length === 0;
  }

  identify(authorization: string | undefined): Principal | undefined {
    if (this.open) return { name: 'local', role: 'operator' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const presented = digest(match[1] as string);
    let found: Principal | undefined;
    // Compare against every entry (no early exit) so timing does not reveal which one matched.
    for (const entry of this.#entries) {
      if (timingSafeEqual(entry.digest, presented)) found = { name: entry.name, role: entry.role };
    }
    return found;
  }

  /** A preHandler that admits `role` or above: 401 without a valid token, 403 with too low a role. */
  require(role: Role) {
    return async (request: FastifyRequest): Promise<void> => {
      const principal = this.identify(request.headers.authorization);
      if (!principal) throw new WD_ERR_UNAUTHORIZED();
      if (RANK[principal.role] < RANK[role]) throw new WD_ERR_FORBIDDEN(role);
      request.principal = principal;
    };
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
