// node:console inside a component: the engine's console.
const { console } = globalThis;

export class Console {
  constructor() {
    return console;
  }
}

export default console;
