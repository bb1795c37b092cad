// Soak: 70% reads, 15% validations, 15% registrations for a long time.
//
//   k6 run -e API_URL=http://127.0.0.1:8080 tests/load/soak_test.js              # 10 minutes
//   k6 run -e DURATION=30s -e VUS=5 tests/load/soak_test.js                       # smoke
//   .venv/bin/python bench/soak.py --duration 10m     # + gunicorn worker RSS at start, minute 2, end
//
// Knobs: DURATION (default 10m), VUS (default 20, times SCALE), THINK_TIME (default 0.1 s),
// SEED_SCHEMAS (default 100), THRESHOLD_FACTOR. The script cannot see the server's memory:
// bench/soak.py starts the registry, runs this script and samples the workers' VmRSS.
import { sleep } from 'k6';
import {
  envNumber, envString, getSchema, ms, newRunId, pick, registerSubject, scaled, seedSchemas,
  TEST_SCHEMA, testDocument, validate,
} from './lib/common.js';

const THINK_TIME = envNumber('THINK_TIME', 0.1);

export const options = {
  scenarios: {
    soak: {
      executor: 'constant-vus',
      vus: scaled(envNumber('VUS', 20)),
      duration: envString('DURATION', '10m'),
      gracefulStop: '10s',
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
  const ids = seedSchemas(`soak.schema.${run}`, envNumber('SEED_SCHEMAS', 100));
  return { run, ids };
}

export default function (data) {
  const roll = Math.random();
  if (roll < 0.70) {
    getSchema(pick(data.ids));
  } else if (roll < 0.85) {
    validate(pick(data.ids), testDocument(__ITER));
  } else {
    registerSubject(`soak.dynamic.${data.run}.${__VU}_${__ITER}`, TEST_SCHEMA);
  }
  if (THINK_TIME > 0) sleep(THINK_TIME);
}
