// node:assert/strict inside a component: the npm assert package's strict mode.
import assert from 'assert';

export default assert.strict;
