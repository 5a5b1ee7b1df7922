/** Staff: the program simulator — start a simulation of a draft over a period, and follow it to its report. */
import { deps } from '#lib/app/deps.ts';
import { simulationStatus, startSimulation } from '#lib/app/simulations.ts';
import { httpFunction, ok } from '#lib/http/function.ts';
import { jsonBody, pathParam, validate } from '#lib/http/request.ts';
import { startSimulationBody } from '#lib/http/schemas/simulations.ts';
import { simulationQueue } from '#lib/messaging/queues.ts';
import { simulationRepository } from '#lib/storage/simulations.ts';

const simulations = () => simulationRepository(deps().db);

export const handler = httpFunction('simulations', {
  'POST /v1/simulations': async (event, p) => ok(await startSimulation(deps(), simulations(), simulationQueue(), p, validate(startSimulationBody, jsonBody(event))), 202),
  'GET /v1/simulations/{simulationId}': async (event, p) => ok(await simulationStatus(simulations(), p, pathParam(event, 'simulationId'))),
});
