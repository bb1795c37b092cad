-- Helpers shared by the wrk scripts of bench/run.py (run.py puts this folder on LUA_PATH).
--
-- done() prints one line, "WRK_JSON {...}", that run.py parses: request count, duration,
-- error counts (wrk's summary.errors: connect/read/write/timeout, and status = responses
-- with a status >= 400) and latency percentiles in microseconds. Scripts that install
-- common.count_status as response() also report a histogram of statuses.
local M = {}

local threads = {}
local next_thread_id = 0

function M.setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  table.insert(threads, thread)
end

-- Per-thread random seed: wall clock, thread number and address of a fresh table.
function M.seed()
  local salt = tonumber(tostring({}):match("0x(%x+)"), 16) or 0
  math.randomseed((os.time() * 1000 + (thread_id or 0) * 7919 + salt) % 2147483647)
  math.random(); math.random()
end

function M.read_file(path)
  local file = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
  local text = file:read("*a")
  file:close()
  return text
end

-- Ids files hold one 36-character UUID per line: one string per thread, no table of a
-- million strings.
local ID_WIDTH = 36
local LINE_WIDTH = ID_WIDTH + 1

function M.load_ids(path)
  local blob = M.read_file(path)
  local count = math.floor(#blob / LINE_WIDTH)
  assert(count > 0 and #blob == count * LINE_WIDTH, "ids file must hold one 36-character id per line: " .. path)
  return { blob = blob, count = count }
end

function M.pick_id(ids)
  local start = math.random(0, ids.count - 1) * LINE_WIDTH + 1
  return ids.blob:sub(start, start + ID_WIDTH - 1)
end

-- Lines of a text file (subject names).
function M.load_lines(path)
  local lines = {}
  for line in M.read_file(path):gmatch("[^\n]+") do
    table.insert(lines, line)
  end
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

M.json_headers = { ["Content-Type"] = "application/json" }

statuses = {}

function M.count_status(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function status_json()
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    if type(counts) == "table" then
      for status, count in pairs(counts) do
        merged[status] = (merged[status] or 0) + count
      end
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    table.insert(parts, string.format('"%d":%d', status, count))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function M.done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%.0f,"p75":%.0f,"p90":%.0f,"p95":%.0f,"p99":%.0f,"p999":%.0f},' ..
    '"statuses":%s}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency:percentile(99.9),
    status_json()))
end

return M
