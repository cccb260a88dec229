/** Reading HTTP bodies without trusting their size: a probe or a scrape is not a download. */
import type { Dispatcher } from 'undici';

/**
 * The body's bytes, or `undefined` when it is over `limit` bytes; the rest is then not read and
 * the stream is destroyed (which also closes the connection).
 */
export async function readBounded(body: Dispatcher.ResponseData['body'], limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
