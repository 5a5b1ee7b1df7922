/**
 * The one logger every entry point shares (routes, workers, jobs, the stream relay), apart from
 * any HTTP code so that a worker's bundle does not carry middy. JSON lines; ids and codes only,
 * never bodies, keys or personal data.
 *
 * The Powertools Logger is built on the first line (or level change), not at import: building it
 * opens stdout and reads the level and sampling settings, milliseconds every cold start paid before
 * the first request whether or not anything was logged. The environment it reads is the
 * function's, set before the import, so it decides as it did when built at import.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage, LogLevel } from '@aws-lambda-powertools/logger/types';

let built: Logger | undefined;
const instance = (): Logger => (built ??= new Logger({ serviceName: 'tally' }));

/** The Logger's methods Tally calls, each building it first if it is not yet built. */
export const logger = {
  debug: (message: LogItemMessage, ...extra: LogItemExtraInput): void => instance().debug(message, ...extra),
  info: (message: LogItemMessage, ...extra: LogItemExtraInput): void => instance().info(message, ...extra),
  warn: (message: LogItemMessage, ...extra: LogItemExtraInput): void => instance().warn(message, ...extra),
  error: (message: LogItemMessage, ...extra: LogItemExtraInput): void => instance().error(message, ...extra),
  setLogLevel: (level: LogLevel): void => instance().setLogLevel(level),
};
