// node:stream/web inside a component: the engine's own WHATWG streams.
export const { ReadableStream, WritableStream, TransformStream, TextEncoderStream, TextDecoderStream,
  ByteLengthQueuingStrategy, CountQueuingStrategy } = globalThis;

export default { ReadableStream, WritableStream, TransformStream, TextEncoderStream, TextDecoderStream,
  ByteLengthQueuingStrategy, CountQueuingStrategy };
