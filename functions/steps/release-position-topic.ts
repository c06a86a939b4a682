import { Admin } from '@platformatic/kafka';
import type { JobRecord } from '../../shared/job/job-record.ts';
import type { Logger } from '../../shared/logger.ts';
import { positionTopicOf } from '../../worker/sinks/kafka/kafka-position.ts';

export type PositionTopicRelease = 'deleted' | 'absent' | 'left';

// A user release also deletes the job's Kafka position topic
// (`tributary.position.<job>`, worker/sinks/kafka/kafka-position.ts): nothing
// reads it once the job is gone. Any Kafka job, whatever its guarantee now: a
// job switched from exactly-once to at-least-once still has one. Runs after the
// worker has stopped, so no worker recreates it. Best effort, like the
// PostgreSQL destination's bookkeeping (release-destination.ts): unreachable
// brokers, a refused delete (ACLs, delete.topic.enable=false) or a slow
// cluster are logged with the command that finishes the job by hand, never
// thrown, so they cannot keep the source's slot alive. The attempt is bounded
// (`deadlineMs`) because ReleaseSource runs in a Lambda with a 2-minute limit.
// Not run for a failed job's cleanup: that job may be started again and
// resumes from this topic.
export async function releasePositionTopic(job: Pick<JobRecord, 'id' | 'destination'>, log: Pick<Logger, 'info' | 'warn'>, opts: { deadlineMs?: number } = {}): Promise<PositionTopicRelease> {
  if (job.destination.type !== 'kafka') return 'absent';
  const topic = positionTopicOf(job.id);
  const brokers = job.destination.brokers;
  // Few, short retries: a release reports an unreachable broker, it does not wait it out.
  const admin = new Admin({ clientId: `tributary-release-${job.id}`, bootstrapBrokers: brokers, connectTimeout: 5_000, timeout: 10_000, retries: 1, retryDelay: 500 });
  const deadlineMs = opts.deadlineMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      (async () => {
        if (!(await admin.listTopics()).includes(topic)) return 'absent' as const;
        await admin.deleteTopics({ topics: [topic] });
        return 'deleted' as const;
      })(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs / 1000} s`)), deadlineMs))),
    ]);
    log.info(outcome === 'deleted' ? 'Kafka position topic deleted' : 'no Kafka position topic to delete', { jobId: job.id, topic });
    return outcome;
  } catch (err) {
    log.warn(`could not delete the job's Kafka position topic ${topic}; it holds a few KB, nothing reads it after release, and it may be deleted by hand: kafka-topics.sh --bootstrap-server ${brokers.join(',')} --delete --topic ${topic}`, {
      jobId: job.id, topic, error: describe(err),
    });
    return 'left';
  } finally {
    clearTimeout(timer);
    // a client still retrying against dead brokers may not settle its close
    await Promise.race([admin.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000).unref())]);
  }
}

// @platformatic/kafka nests the cause (MultipleErrors → ProtocolError / NetworkError); the innermost message names it.
function describe(err: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    messages.push(e.message.replace(/\.$/, ''));
    e = (e as { errors?: unknown[] }).errors?.[0] ?? e.cause;
  }
  return messages.join(': ') || String(err);
}
