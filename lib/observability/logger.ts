/**
 * The one logger every entry point shares (routes, workers, jobs, the stream relay), apart from
 * any HTTP code so that a worker's bundle does not carry middy. JSON lines; ids and codes only,
 * never bodies, keys or personal data.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'tally' });
