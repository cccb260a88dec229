/** The providers' name for it: the collection lives with the config, which registers every spec at load. */
export { collectSignalSecrets, type SignalSpecWithSecrets } from '../config/signal-secrets.ts';
