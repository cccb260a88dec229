/**
 * The one builder of the Authorization header for every Fly endpoint the watchdog sends the Fly
 * token to (the Machines API, Fly's Prometheus). Written after fly-go's own (tokens/tokens.go:
 * Parse, StripAuthorizationScheme, normalized):
 * - a leading `FlyV1 ` or `Bearer ` is stripped, case-insensitively and repeatedly, because
 *   `fly tokens create` prints the scheme as part of the value (`FlyV1 fm2_…`) and people paste it;
 * - the rest is a comma-separated list; macaroons are the parts whose prefix before `_` is
 *   `fm1r`, `fm1a` or `fm2`;
 * - with any macaroon, `FlyV1 <macaroons>` (the other parts are dropped, as FlapsHeader does);
 *   otherwise `Bearer <tokens>` (`fly auth token`, `fo1_…`).
 */

const MACAROON_PREFIXES: ReadonlySet<string> = new Set(['fm1r', 'fm1a', 'fm2']);
const SCHEMES: ReadonlySet<string> = new Set(['bearer', 'flyv1']);

/** `FlyV1 Bearer fm2_x` → `fm2_x`; a value without a scheme is returned trimmed. */
export function stripAuthorizationScheme(token: string): string {
  let rest = token.trim();
  for (;;) {
    const space = rest.search(/\s/);
    if (space === -1 || !SCHEMES.has(rest.slice(0, space).toLowerCase())) return rest;
    rest = rest.slice(space).trim();
  }
}

/** The token's parts (empty ones dropped), split into macaroons and the rest. */
export function parseFlyToken(token: string): { macaroons: string[]; others: string[] } {
  const parts = stripAuthorizationScheme(token).split(',').map((part) => part.trim()).filter((part) => part !== '');
  const isMacaroon = (part: string) => MACAROON_PREFIXES.has(part.split('_', 1)[0] ?? '');
  return { macaroons: parts.filter(isMacaroon), others: parts.filter((part) => !isMacaroon(part)) };
}

/** The header value flyctl itself would send with this token. */
export function flyAuthorization(token: string): string {
  const { macaroons, others } = parseFlyToken(token);
  return macaroons.length > 0 ? `FlyV1 ${macaroons.join(',')}` : `Bearer ${others.join(',')}`;
}

/**
 * Every form of the token an error or a log line could quote: as configured, without its scheme,
 * and each part of a `fm2_a,fm2_b` list. Register them all with the SecretRegistry.
 */
export function flyTokenForms(token: string): string[] {
  const { macaroons, others } = parseFlyToken(token);
  return [token, token.trim(), stripAuthorizationScheme(token), ...macaroons, ...others];
}
