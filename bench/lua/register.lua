-- POST /api/v1/schemas, each request under a subject nobody used before:
-- bench.reg.<tag>.<thread>.<random per thread>.<counter>.
-- wrk -s register.lua URL -- <body template file, one %s for the subject> <tag>
local common = require("common")
setup = common.setup
done = common.done
response = common.count_status

local template, prefix, counter

function init(args)
  common.seed()
  template = common.read_file(args[1])
  prefix = string.format("bench.reg.%s.%d.%08x", args[2] or "run", thread_id or 0, math.random(0, 2147483646))
  counter = 0
end

function request()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/schemas", common.json_headers,
    string.format(template, prefix .. "." .. counter))
end
