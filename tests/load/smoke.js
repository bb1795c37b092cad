// Smoke: every endpoint at least once, then a few VUs for ~20 s; loose thresholds; exits
// non-zero when a check or a threshold fails.
//
//   k6 run -e API_URL=http://127.0.0.1:8080 tests/load/smoke.js
//
// Knobs: VUS (default 3), DURATION (default 20s).
import http from 'k6/http';
import { check, fail, sleep } from 'k6';
import {
  API_URL, envNumber, envString, getSchema, newRunId, params, pick, registerContent, registerSubject,
  TEST_SCHEMA, testDocument, validate,
} from './lib/common.js';

export const options = {
  scenarios: {
    smoke: {
      executor: 'constant-vus',
      vus: envNumber('VUS', 3),
      duration: envString('DURATION', '20s'),
      gracefulStop: '5s',
    },
  },
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<1000'],
  },
};

// Requiring less is backward compatible; requiring more is not.
const RELAXED = Object.assign({}, TEST_SCHEMA, { required: ['id'] });
const NARROWED = Object.assign({}, TEST_SCHEMA, { required: ['id', 'name', 'value'] });

function expectStatus(res, status, what) {
  const ok = check(res, { [`${what}: ${status}`]: (r) => r.status === status });
  if (!ok) console.error(`${what}: expected ${status}, got ${res.status}: ${res.body}`);
  return ok;
}

function post(path, body, name, expected) {
  const extra = expected ? { responseCallback: http.expectedStatuses(expected) } : undefined;
  return http.post(`${API_URL}${path}`, JSON.stringify(body), params('smoke', name, extra));
}

export function setup() {
  const run = newRunId();
  for (const path of ['/healthz', '/readyz', '/health']) {
    const res = http.get(`${API_URL}${path}`, { tags: { kind: 'smoke', name: `GET ${path}` } });
    if (!expectStatus(res, 200, `GET ${path}`)) fail(`the registry at ${API_URL} is not up (${path}: ${res.status})`);
  }

  // Both registration shapes; a duplicate answers 200; an incompatible change 409.
  const subject = `smoke.${run}.user`;
  const first = registerSubject(subject, TEST_SCHEMA, 'smoke');
  if (first.status !== 201) fail(`registration failed: ${first.status} ${first.body}`);
  const id = first.json('id');
  check(first, { 'register: version 1.0.0': (r) => r.json('version') === '1.0.0' });
  registerSubject(subject, TEST_SCHEMA, 'smoke', 200);
  const second = registerSubject(subject, RELAXED, 'smoke');
  const secondId = second.status === 201 ? second.json('id') : id;
  expectStatus(post('/api/v1/schemas', { subject, schema: NARROWED, schema_type: 'json' },
    'POST /api/v1/schemas (incompatible)', 409), 409, 'register incompatible');
  registerContent(`smoke.${run}`, 'content', TEST_SCHEMA, 'smoke');

  // Reads.
  const got = getSchema(id, 'smoke');
  check(got, { 'get: same subject': (r) => r.json('subject') === subject });
  const missing = http.get(`${API_URL}/api/v1/schemas/00000000-0000-4000-8000-000000000000`,
    params('smoke', 'GET /api/v1/schemas/{id} (missing)', { responseCallback: http.expectedStatuses(404) }));
  expectStatus(missing, 404, 'get unknown id');

  // Validation: by id (valid and invalid document) and the envelope form.
  validate(id, testDocument(1), 'smoke');
  const invalid = post(`/api/v1/validate/${id}`, { id: 1 }, 'POST /api/v1/validate/{id} (invalid)');
  check(invalid, {
    'validate invalid: 200': (r) => r.status === 200,
    'validate invalid: errors listed': (r) => r.status === 200 && r.json('is_valid') === false
      && r.json('errors').length > 0,
  });
  const envelope = post('/api/v1/validate', { schema_id: id, data: testDocument(2) }, 'POST /api/v1/validate');
  check(envelope, {
    'validate envelope: 200': (r) => r.status === 200,
    'validate envelope: is_valid': (r) => r.status === 200 && r.json('is_valid') === true,
  });

  // Compatibility.
  const compat = post('/api/v1/compatibility/check',
    { schema_id: secondId, compared_schema_id: id, mode: 'BACKWARD' }, 'POST /api/v1/compatibility/check');
  check(compat, {
    'compatibility: 200': (r) => r.status === 200,
    'compatibility: verdict': (r) => r.status === 200 && typeof r.json('is_compatible') === 'boolean',
  });

  return { run, ids: [id, secondId], subject };
}

export default function (data) {
  const roll = Math.random();
  if (roll < 0.5) {
    getSchema(pick(data.ids), 'read');
  } else if (roll < 0.7) {
    validate(pick(data.ids), testDocument(__ITER));
  } else if (roll < 0.8) {
    registerSubject(`smoke.${data.run}.dynamic.${__VU}_${__ITER}`, TEST_SCHEMA);
  } else if (roll < 0.9) {
    const res = post('/api/v1/compatibility/check',
      { schema_id: data.ids[1], compared_schema_id: data.ids[0], mode: 'BACKWARD' },
      'POST /api/v1/compatibility/check');
    check(res, { 'compatibility: 200': (r) => r.status === 200 });
  } else {
    const res = http.get(`${API_URL}/health`, { tags: { kind: 'health', name: 'GET /health' } });
    check(res, { 'health: 200': (r) => r.status === 200 });
  }
  sleep(0.2);
}
