-- POST /api/v1/schemas into existing subjects (random one of a subjects file), each body
-- the chain's next compatible version with a description of its own, so every request
-- creates a version whatever order the server sees them in.
-- wrk -s chain.lua URL -- <subjects file> <body template file: %s subject, %s description> <tag>
local common = require("common")
setup = common.setup
done = common.done
response = common.count_status

local subjects, template, prefix, counter

function init(args)
  common.seed()
  subjects = common.load_lines(args[1])
  template = common.read_file(args[2])
  prefix = string.format("bench %s %d %08x", args[3] or "run", thread_id or 0, math.random(0, 2147483646))
  counter = 0
end

function request()
  counter = counter + 1
  local subject = subjects[math.random(1, #subjects)]
  return wrk.format("POST", "/api/v1/schemas", common.json_headers,
    string.format(template, subject, prefix .. " " .. counter))
end
