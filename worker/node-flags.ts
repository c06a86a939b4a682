// The worker's Node options, wherever it runs (the local launcher, the worker
// image's CMD: a unit test holds them equal). The heap caps are the
// worker's memory budget: what it holds is bounded by design (the stream
// buffer by count and bytes, two writes in flight, large transactions spilled
// to disk), so a bigger heap only holds more garbage between collections;
// uncapped, V8 sized the main heap near 340 MB on a 24 GiB machine. Since a
// Kafka job's rows are rendered as bytes, not objects (ARCHITECTURE.md §8),
// little of what the worker allocates lives on the JavaScript heap, so small
// semi-spaces cost almost nothing: 8 MB ones stream at the throughput of
// 32 MB ones and keep the peak under 256 MB (bench/RESULTS.md, session 5).
// The old space keeps room for a PostgreSQL destination's row objects.
export const WORKER_HEAP_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=8'];

export const WORKER_NODE_FLAGS = [...WORKER_HEAP_FLAGS, '--disable-warning=ExperimentalWarning', '--disable-warning=TimeoutNegativeWarning'];

// glibc's malloc gives each thread that allocates its own arena (up to 8 per
// core); the worker's two threads and libuv's pool each kept freed buffer
// memory in theirs. Two arenas took 15–20 MB off the 1M-row stream bench's
// peak (bench/RESULTS.md).
// The image sets the same (test/unit/worker/node-flags.test.ts).
export const WORKER_ENV = { MALLOC_ARENA_MAX: '2' } as const;
