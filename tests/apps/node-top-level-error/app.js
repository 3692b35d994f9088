import { settings } from './settings.js';

export default {
  fetch() {
    return new Response(settings.greeting);
  },
};
