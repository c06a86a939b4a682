import { it } from 'vitest';
import { synthApp, templateOf } from './support/synth.ts';
import { jobMachineDefinition } from './support/job-machine-asl.ts';
import { jobMachineHarness, T0 } from './support/job-machine-harness.ts';
const { definition, stateMachineName } = jobMachineDefinition(templateOf(synthApp(['dev']), 'Tributary-dev-ControlPlane'));
it('debug', async () => {
  console.log(JSON.stringify(definition.States.RunWorker, null, 1));
  const h = await jobMachineHarness({ definition, stateMachineName, worker: (now) => now < T0 + 180000 ? { kind: 'fail', errorClass: 'connection' } : { kind: 'stream', durationMs: 1000, then: 'stopped-by-user' } });
  try { const r = await h.run({ jobId: h.job.id, windows: { connectionRetryMinutes: 10, otherRetryMinutes: 2 } }); console.log(JSON.stringify(r).slice(0, 3000)); } catch (e) { console.log('ERR', e); }
});
