// node:https in a component: node:http's API, with https:// requests by default. TLS is the
// host's (wasi:http makes the request), so there are no certificates or agents to configure.
import http from './http.js';
import { getter, requester } from './_http_client.js';

export * from './http.js';
export const request = requester('https:');
export const get = getter('https:');

export default { ...http, request, get };
