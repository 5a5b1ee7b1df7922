/** Staff: the program simulator — start a simulation of a draft over a period, and follow it to its report. */
import { simulationStatus, startSimulation, type SimulationDeps } from '#lib/app/simulations.ts';
import { db } from '#lib/storage/client.ts';
import { auditRepository } from '#lib/storage/audit.ts';
import { sharedProgramRepository } from '#lib/storage/programs.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { startSimulationBody } from '#lib/http/schemas/simulations.ts';
import { simulationQueue } from '#lib/messaging/queues.ts';
import { simulationRepository } from '#lib/storage/simulations.ts';

// Only the repositories the simulation routes use: deps() would bundle, and build at a cold start, every repository.
let shared: SimulationDeps | undefined;
const deps = (): SimulationDeps => (shared ??= { programs: sharedProgramRepository(db()), audit: auditRepository(db()), clock: () => new Date() });
const simulations = () => simulationRepository(db());

export const handler = httpFunction('simulations', {
  'POST /v1/simulations': async (event, p) => ok(await startSimulation(deps(), simulations(), simulationQueue(), p, validate(startSimulationBody, jsonBody(event))), 202),
  'GET /v1/simulations/{simulationId}': async (event, p) => ok(await simulationStatus(simulations(), p, pathParam(event, 'simulationId'))),
});
