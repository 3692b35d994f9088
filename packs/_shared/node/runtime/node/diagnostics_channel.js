// node:diagnostics_channel inside a component: channels with subscribers, as Node's
// (publish calls each subscriber synchronously); tracing channels run the traced function.
const channels = new Map();

class Channel {
  constructor(name) {
    this.name = name;
    this.subscribers = [];
  }

  get hasSubscribers() {
    return this.subscribers.length > 0;
  }

  subscribe(fn) {
    this.subscribers.push(fn);
  }

  unsubscribe(fn) {
    const at = this.subscribers.indexOf(fn);
    if (at === -1) return false;
    this.subscribers.splice(at, 1);
    return true;
  }

  publish(message) {
    for (const fn of [...this.subscribers]) fn(message, this.name);
  }

  bindStore() {}

  unbindStore() {}

  runStores(data, fn, thisArg, ...args) {
    this.publish(data);
    return fn.apply(thisArg, args);
  }
}

export function channel(name) {
  if (!channels.has(name)) channels.set(name, new Channel(name));
  return channels.get(name);
}

export function hasSubscribers(name) {
  return channels.get(name)?.hasSubscribers ?? false;
}

export function subscribe(name, fn) {
  channel(name).subscribe(fn);
}

export function unsubscribe(name, fn) {
  return channel(name).unsubscribe(fn);
}

export function tracingChannel(nameOrChannels) {
  const named = (event) => (typeof nameOrChannels === 'string' ? channel(`tracing:${nameOrChannels}:${event}`) : nameOrChannels[event]);
  const events = { start: named('start'), end: named('end'), asyncStart: named('asyncStart'), asyncEnd: named('asyncEnd'), error: named('error') };
  return {
    ...events,
    get hasSubscribers() {
      return Object.values(events).some((c) => c.hasSubscribers);
    },
    subscribe(handlers) {
      for (const [event, fn] of Object.entries(handlers)) events[event]?.subscribe(fn);
    },
    unsubscribe(handlers) {
      for (const [event, fn] of Object.entries(handlers)) events[event]?.unsubscribe(fn);
    },
    traceSync(fn, context = {}, thisArg, ...args) {
      events.start.publish(context);
      try {
        const result = fn.apply(thisArg, args);
        context.result = result;
        return result;
      } catch (error) {
        context.error = error;
        events.error.publish(context);
        throw error;
      } finally {
        events.end.publish(context);
      }
    },
    tracePromise(fn, context = {}, thisArg, ...args) {
      events.start.publish(context);
      try {
        return Promise.resolve(fn.apply(thisArg, args)).then((result) => {
          context.result = result;
          events.asyncEnd.publish(context);
          return result;
        }, (error) => {
          context.error = error;
          events.error.publish(context);
          events.asyncEnd.publish(context);
          throw error;
        });
      } finally {
        events.end.publish(context);
      }
    },
    traceCallback(fn, position = -1, context = {}, thisArg, ...args) {
      return this.traceSync(fn, context, thisArg, ...args);
    },
  };
}

export { Channel };
export default { channel, hasSubscribers, subscribe, unsubscribe, tracingChannel, Channel };
