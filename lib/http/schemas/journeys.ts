/** Journeys (group `journeys`). */
import * as z from '#domain/zod-mini.ts';
import { journeySchema } from '#domain/journeys.ts';
import { id } from '../schemas.ts';

/** A journey as a marketer defines it (lib/domain/journeys.ts), with the id it is addressed by. */
export const createJourneyBody = z.extend(journeySchema, { journeyId: id });
export type CreateJourneyBody = z.output<typeof createJourneyBody>;
