// Basic load: 80% reads, 15% registrations of new subjects, 5% validations.
//
//   k6 run -e API_URL=http://127.0.0.1:8080 tests/load/basic_load.js
//   k6 run -e VUS=5 -e DURATION=30s -e STAGE_SECONDS=10 tests/load/basic_load.js   # ~1 minute
//
// Knobs: VUS (peak VUs, default 50, times SCALE), DURATION (steady phase, default 5m),
// STAGE_SECONDS (ramp up and down, default 60), THINK_TIME (default 0.1 s), SEED_SCHEMAS
// (default 100), THRESHOLD_FACTOR. Default profile: 1 m ramp + 5 m + 1 m ramp-down.
import { sleep } from 'k6';
import {
  envNumber, envString, getSchema, ms, newRunId, pick, registerSubject, scaled, seedSchemas,
  stageDuration, TEST_SCHEMA, testDocument, validate,
} from './lib/common.js';

const VUS = scaled(envNumber('VUS', 50));
const THINK_TIME = envNumber('THINK_TIME', 0.1);

export const options = {
  scenarios: {
    basic: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: stageDuration(1), target: VUS },
        { duration: envString('DURATION', '5m'), target: VUS },
        { duration: stageDuration(1), target: 0 },
      ],
      gracefulRampDown: '10s',
    },
  },
  thresholds: {
    'http_req_duration{kind:read}': [`p(95)<${ms(10)}`],
    'http_req_duration{kind:write}': [`p(95)<${ms(100)}`],
    'http_req_duration{kind:validation}': [`p(95)<${ms(50)}`],
    http_req_failed: ['rate<0.01'],
  },
  setupTimeout: '180s',
};

export function setup() {
  const run = newRunId();
  // test.schema.<run>.N: one subject per schema, a fresh set every run.
  const ids = seedSchemas(`test.schema.${run}`, envNumber('SEED_SCHEMAS', 100));
  return { run, ids };
}

export default function (data) {
  const roll = Math.random();
  if (roll < 0.80) {
    getSchema(pick(data.ids));
  } else if (roll < 0.95) {
    registerSubject(`dynamic.schema.${data.run}.${__VU}_${__ITER}`, TEST_SCHEMA);
  } else {
    validate(pick(data.ids), testDocument(__ITER));
  }
  if (THINK_TIME > 0) sleep(THINK_TIME);
}
