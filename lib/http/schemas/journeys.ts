/** Journeys (group `journeys`). */
import type * as z from 'zod';
import { journeySchema } from '#domain/journeys.ts';
import { id } from '../schemas.ts';

/** A journey as a marketer defines it (lib/domain/journeys.ts), with the id it is addressed by. */
export const createJourneyBody = journeySchema.extend({ journeyId: id });
export type CreateJourneyBody = z.output<typeof createJourneyBody>;
