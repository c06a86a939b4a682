import { parentPort, workerData } from 'node:worker_threads';
import { classify } from '../../../shared/errors/classify.ts';
import { createKafkaProducer, type KafkaProducerOptions } from './kafka-producer.ts';
import type { ProducerCall, ProducerReply } from './threaded-kafka-producer.ts';
import { asReceived } from './record-batch.ts';

// The producer thread: one KafkaProducerSide, driven by calls from the worker's
// main thread (threaded-kafka-producer.ts). Calls are served in arrival order,
// one at a time, except that a send lets the next call in once its records
// are issued (not acknowledged): the next write's records then go out while
// the broker answers this one's.
const side = createKafkaProducer(workerData as KafkaProducerOptions);
const port = parentPort!;

const reply = async (seq: number, work: Promise<unknown>) => {
  let answer: ProducerReply;
  try {
    answer = { seq, ok: true, value: await work };
  } catch (err) {
    const e = classify(err, 'sink');
    answer = { seq, ok: false, code: e.code, message: e.message };
  }
  port.postMessage(answer);
};

const serve = (call: ProducerCall, next: () => void): Promise<unknown> => {
  switch (call.op) {
    case 'prepare':
      return side.prepare(call.topics);
    case 'send':
      return side.send(asReceived(call.batch), next);
    case 'commit':
      return side.commit(call.position);
    case 'close':
      return side.close();
  }
};

let queue = Promise.resolve();
port.on('message', (call: ProducerCall) => {
  queue = queue.then(() => new Promise<void>((next) => void reply(call.seq, serve(call, next)).finally(next)));
});
