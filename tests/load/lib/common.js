// Shared by the k6 load tests in tests/load/. Every knob is an environment variable
// (`k6 run -e NAME=value ...`):
//   API_URL          the registry (default http://127.0.0.1:8080)
//   SCALE            multiplies every VU count (default 1; 0.1 on a laptop)
//   STAGE_SECONDS    length of one stage unit of the staged tests (default 60)
//   THINK_TIME       seconds a VU sleeps between requests (default per script)
//   THRESHOLD_FACTOR multiplies every latency threshold (default 1: the targets as specified)
import http from 'k6/http';
import { check, fail } from 'k6';

export const API_URL = (__ENV.API_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

export function envNumber(name, fallback) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export function envString(name, fallback) {
  const raw = __ENV[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

export const SCALE = envNumber('SCALE', 1);
export const STAGE_SECONDS = envNumber('STAGE_SECONDS', 60);
export const THRESHOLD_FACTOR = envNumber('THRESHOLD_FACTOR', 1);

// A VU count scaled by SCALE, at least 1.
export function scaled(vus) {
  return Math.max(1, Math.round(vus * SCALE));
}

// A duration of `units` stage units, as k6 wants it ("90s").
export function stageDuration(units) {
  return `${Math.max(1, Math.round(units * STAGE_SECONDS))}s`;
}

// A latency threshold in milliseconds, scaled by THRESHOLD_FACTOR.
export function ms(limit) {
  return Math.round(limit * THRESHOLD_FACTOR * 1000) / 1000;
}

// A short id of this run: subjects registered by two runs never collide.
export function newRunId() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`;
}

// The schema every load test registers (bench/workload.py uses the same one).
export const TEST_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    value: { type: 'number' },
  },
  required: ['id', 'name'],
};

export function testDocument(n) {
  return { id: `id-${n}`, name: `name-${n}`, value: n };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export function params(kind, name, extra) {
  return Object.assign({ headers: JSON_HEADERS, tags: { kind, name } }, extra || {});
}

export function getSchema(id, kind = 'read') {
  const res = http.get(`${API_URL}/api/v1/schemas/${id}`, params(kind, 'GET /api/v1/schemas/{id}'));
  check(res, { 'get schema: 200': (r) => r.status === 200 });
  return res;
}

// POST /api/v1/schemas with the {subject, schema, schema_type} shape; `expected`: the status
// the check wants (201: a new version; 200: a duplicate of a live version).
export function registerSubject(subject, schema, kind = 'write', expected = 201) {
  const body = JSON.stringify({ subject, schema, schema_type: 'json' });
  const res = http.post(`${API_URL}/api/v1/schemas`, body, params(kind, 'POST /api/v1/schemas'));
  check(res, { [`register: ${expected}`]: (r) => r.status === expected });
  return res;
}

// POST /api/v1/schemas with the {namespace, name, format, content, version_*} shape.
export function registerContent(namespace, name, schema, kind = 'write') {
  const body = JSON.stringify({
    namespace,
    name,
    format: 'JSON',
    content: JSON.stringify(schema),
    version_major: 1,
    version_minor: 0,
    version_patch: 0,
  });
  const res = http.post(`${API_URL}/api/v1/schemas`, body, params(kind, 'POST /api/v1/schemas'));
  check(res, { 'register (content shape): 201': (r) => r.status === 201 });
  return res;
}

export function validate(id, document, kind = 'validation') {
  const res = http.post(`${API_URL}/api/v1/validate/${id}`, JSON.stringify(document),
    params(kind, 'POST /api/v1/validate/{id}'));
  check(res, {
    'validate: 200': (r) => r.status === 200,
    'validate: is_valid': (r) => r.status === 200 && r.json('is_valid') === true,
  });
  return res;
}

export function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

// setup(): the registry answers, then `count` schemas under `${prefix}.0` .. `${prefix}.<count-1>`.
export function seedSchemas(prefix, count) {
  const ready = http.get(`${API_URL}/readyz`, { tags: { kind: 'setup' } });
  if (ready.status !== 200) {
    fail(`the registry at ${API_URL} is not ready (GET /readyz: ${ready.status} ${ready.error || ''})`);
  }
  const ids = [];
  const batchSize = 20;
  for (let start = 0; start < count; start += batchSize) {
    const requests = [];
    for (let n = start; n < Math.min(count, start + batchSize); n++) {
      requests.push(['POST', `${API_URL}/api/v1/schemas`,
        JSON.stringify({ subject: `${prefix}.${n}`, schema: TEST_SCHEMA, schema_type: 'json' }),
        params('setup', 'POST /api/v1/schemas (setup)')]);
    }
    for (const res of http.batch(requests)) {
      if (res.status !== 201 && res.status !== 200) {
        fail(`setup: registering a schema answered ${res.status}: ${res.body}`);
      }
      ids.push(res.json('id'));
    }
  }
  return ids;
}
