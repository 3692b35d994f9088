// node:stream/promises inside a component: readable-stream's promise API.
import { finished, pipeline } from 'stream';
import { promisify } from 'util';

const pipelinePromise = promisify(pipeline);
const finishedPromise = promisify(finished);
export { pipelinePromise as pipeline, finishedPromise as finished };
export default { pipeline: pipelinePromise, finished: finishedPromise };
