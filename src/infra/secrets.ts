/**
 * Secret values (FLY_API_TOKEN, admin tokens, webhook URLs) must never reach logs, metrics or error
 * messages. Redacting by key is not enough: flyctl can echo a token inside stderr, and a webhook URL
 * can sit inside an undici error message. So we also mask by value, at every exit point.
 */
export const MASK = '[REDACTED]';

/** Values shorter than this are not masked: masking "a" would shred every message. */
const MIN_SECRET_LENGTH = 6;

export class SecretRegistry {
  #values = new Set<string>();

  add(value: string | undefined | null): void {
    if (value && value.length >= MIN_SECRET_LENGTH) this.#values.add(value);
  }

  get size(): number {
    return this.#values.size;
  }

  /** Replaces every registered value in `text`; longest first so a secret's prefix never leaks. */
  mask(text: string): string {
    if (this.#values.size === 0 || !text) return text;
    let out = text;
    for (const value of [...this.#values].sort((a, b) => b.length - a.length)) {
      if (out.includes(value)) out = out.split(value).join(MASK);
    }
    return out;
  }
}
