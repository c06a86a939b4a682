import { parentPort, workerData } from 'node:worker_threads';
import { classify } from '../../../shared/errors/classify.ts';
import { createKafkaProducer, type KafkaProducerOptions } from './kafka-producer.ts';
import type { ProducerCall, ProducerReply } from './threaded-kafka-producer.ts';

// The producer thread: one KafkaProducerSide, driven by calls from the worker's
// main thread (threaded-kafka-producer.ts). Calls are served in arrival order,
// one at a time, as the main thread issues them.
const side = createKafkaProducer(workerData as KafkaProducerOptions);
const port = parentPort!;

const serve = async (call: ProducerCall): Promise<unknown> => {
  switch (call.op) {
    case 'prepare':
      return side.prepare(call.topics);
    case 'send':
      return side.send(call.batch);
    case 'commit':
      return side.commit(call.position);
    case 'close':
      return side.close();
  }
};

let queue = Promise.resolve();
port.on('message', (call: ProducerCall) => {
  queue = queue.then(async () => {
    let reply: ProducerReply;
    try {
      reply = { seq: call.seq, ok: true, value: await serve(call) };
    } catch (err) {
      const e = classify(err, 'sink');
      reply = { seq: call.seq, ok: false, code: e.code, message: e.message };
    }
    port.postMessage(reply);
  });
});
