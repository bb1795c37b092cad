// Spike: GET /health with a sudden jump of VUs, then back.
//
//   k6 run -e API_URL=http://127.0.0.1:8080 tests/load/spike_test.js
//   k6 run -e BASE_VUS=2 -e SPIKE_VUS=30 -e STAGE_SECONDS=5 tests/load/spike_test.js   # ~20 s
//
// Stages (STAGE_SECONDS units, default 60): BASE_VUS (default 10) for 1 unit, a jump to
// SPIKE_VUS (default 200) in 1/6 unit (10 s), held 1 unit, back to BASE_VUS in 1/6 unit,
// held 1 unit (recovery): about 3.5 minutes. Both VU counts are multiplied by SCALE.
// 503 (`unhealthy`: the database is down) is an answer, not a failure:
// http.setResponseCallback(http.expectedStatuses(200, 503)); its share is the
// health_unhealthy rate. Thresholds: p99 < 1 s, http_req_failed < 10%.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Rate } from 'k6/metrics';
import { API_URL, envNumber, ms, scaled, stageDuration } from './lib/common.js';

const BASE = scaled(envNumber('BASE_VUS', 10));
const SPIKE = scaled(envNumber('SPIKE_VUS', 200));
const THINK_TIME = envNumber('THINK_TIME', 0.1);
const unhealthy = new Rate('health_unhealthy');

http.setResponseCallback(http.expectedStatuses(200, 503));

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-vus',
      startVUs: BASE,
      stages: [
        { duration: stageDuration(1), target: BASE },
        { duration: stageDuration(1 / 6), target: SPIKE },
        { duration: stageDuration(1), target: SPIKE },
        { duration: stageDuration(1 / 6), target: BASE },
        { duration: stageDuration(1), target: BASE },
      ],
      gracefulRampDown: '5s',
    },
  },
  thresholds: {
    'http_req_duration{kind:health}': [`p(99)<${ms(1000)}`],
    http_req_failed: ['rate<0.10'],
  },
};

export default function () {
  const res = http.get(`${API_URL}/health`, { tags: { kind: 'health', name: 'GET /health' } });
  check(res, { 'health: 200 or 503': (r) => r.status === 200 || r.status === 503 });
  unhealthy.add(res.status === 503);
  if (THINK_TIME > 0) sleep(THINK_TIME);
}
