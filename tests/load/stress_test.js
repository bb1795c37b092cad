// Stress: 90% reads, 10% registrations (namespace/name/format/content request shape),
// stepping VUs up to a capacity stage, past it, back down, then a recovery stage.
//
//   k6 run -e API_URL=http://127.0.0.1:8080 -e CAPACITY_VUS=200 tests/load/stress_test.js
//   k6 run -e CAPACITY_VUS=10 -e STAGE_SECONDS=3 tests/load/stress_test.js            # ~40 s
//
// Every stage is a scenario of its own, started at its own time, whose requests carry a
// `stage` tag; thresholds sit on the tagged sub-metrics:
//   baseline 0.1 cap (2 units) -> step_25 / step_50 / step_75 (1 unit each) -> capacity
//   (3 units) -> beyond 1.5 cap (2 units) -> ramp_down to 0.1 cap (1 unit) -> recovery 0.1
//   cap (2 units). 13 units: 13 minutes at the default STAGE_SECONDS=60.
// Capacity: read p50 < 5, p95 < 10, p99 < 25 ms; write p95 < 100, p99 < 250 ms. Recovery:
// read p95 < RECOVERY_READ_P95_MS (default 15 ms, 1.5x the baseline target), shown next to
// baseline's p95 (same threshold as the capacity read target) in the summary to compare.
// Overall: http_req_failed < 5%.
// Knobs: CAPACITY_VUS (default 100, times SCALE), STAGE_SECONDS, THINK_TIME (default 0.05 s),
// SEED_SCHEMAS (default 100), RECOVERY_READ_P95_MS, THRESHOLD_FACTOR.
import { sleep } from 'k6';
import exec from 'k6/execution';
import {
  envNumber, getSchema, ms, newRunId, pick, registerContent, scaled, seedSchemas, STAGE_SECONDS,
  TEST_SCHEMA,
} from './lib/common.js';

const CAPACITY = scaled(envNumber('CAPACITY_VUS', 100));
const THINK_TIME = envNumber('THINK_TIME', 0.05);
const at = (fraction) => Math.max(1, Math.round(CAPACITY * fraction));

// [name, executor settings, length in stage units]
const PLAN = [
  ['baseline', { executor: 'constant-vus', vus: at(0.1) }, 2],
  ['step_25', { executor: 'constant-vus', vus: at(0.25) }, 1],
  ['step_50', { executor: 'constant-vus', vus: at(0.5) }, 1],
  ['step_75', { executor: 'constant-vus', vus: at(0.75) }, 1],
  ['capacity', { executor: 'constant-vus', vus: CAPACITY }, 3],
  ['beyond', { executor: 'constant-vus', vus: at(1.5) }, 2],
  ['ramp_down', { executor: 'ramping-vus', startVUs: at(1.5), target: at(0.1) }, 1],
  ['recovery', { executor: 'constant-vus', vus: at(0.1) }, 2],
];

function seconds(units) {
  return Math.max(1, Math.round(units * STAGE_SECONDS));
}

function buildScenarios() {
  const scenarios = {};
  let start = 0;
  for (const [name, settings, units] of PLAN) {
    const length = seconds(units);
    const scenario = {
      executor: settings.executor,
      startTime: `${start}s`,
      gracefulStop: '5s',
      tags: { stage: name },
      exec: 'mixed',
    };
    if (settings.executor === 'constant-vus') {
      scenario.vus = settings.vus;
      scenario.duration = `${length}s`;
    } else {
      scenario.startVUs = settings.startVUs;
      scenario.stages = [{ duration: `${length}s`, target: settings.target }];
      scenario.gracefulRampDown = '5s';
    }
    scenarios[name] = scenario;
    start += length;
  }
  return scenarios;
}

export const options = {
  scenarios: buildScenarios(),
  thresholds: {
    'http_req_duration{stage:capacity,kind:read}': [`p(50)<${ms(5)}`, `p(95)<${ms(10)}`, `p(99)<${ms(25)}`],
    'http_req_duration{stage:capacity,kind:write}': [`p(95)<${ms(100)}`, `p(99)<${ms(250)}`],
    'http_req_duration{stage:baseline,kind:read}': [`p(95)<${ms(10)}`],
    'http_req_duration{stage:recovery,kind:read}': [`p(95)<${ms(envNumber('RECOVERY_READ_P95_MS', 15))}`],
    http_req_failed: ['rate<0.05'],
  },
  setupTimeout: '180s',
};

export function setup() {
  const run = newRunId();
  const ids = seedSchemas(`stress.seed.${run}`, envNumber('SEED_SCHEMAS', 100));
  return { run, ids };
}

export function mixed(data) {
  if (Math.random() < 0.9) {
    getSchema(pick(data.ids));
  } else {
    // namespace stress.<run>, name <stage>_<iteration in stage>: a new subject every time.
    registerContent(`stress.${data.run}`, `${exec.scenario.name}_${exec.scenario.iterationInTest}`, TEST_SCHEMA);
  }
  if (THINK_TIME > 0) sleep(THINK_TIME);
}

export default mixed;
