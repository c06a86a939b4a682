// The worker's Node options, wherever it runs (the local launcher, the worker
// image's CMD: a unit test holds them equal). The heap caps are the
// worker's memory budget: what it holds is bounded by design (the stream
// buffer by count and bytes, two writes in flight, large transactions spilled
// to disk), so a bigger heap only holds more garbage between collections;
// uncapped, V8 sized the main heap near 340 MB on a 24 GiB machine. The
// young generation is kept large on purpose: most of what the worker
// allocates dies within a batch, and a small one promoted it into costly
// full collections (8 MB semi-spaces: 16.7 µs of CPU per streamed row; 32 MB:
// 11.8 µs, as uncapped). bench/RESULTS.md has the table.
export const WORKER_HEAP_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=32'];

export const WORKER_NODE_FLAGS = [...WORKER_HEAP_FLAGS, '--disable-warning=ExperimentalWarning', '--disable-warning=TimeoutNegativeWarning'];
