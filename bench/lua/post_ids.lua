-- POST a constant body to <prefix><id>, ids drawn uniformly from an ids file (validation).
-- wrk -s post_ids.lua URL -- <ids file> <path prefix> <body file>
local common = require("common")
setup = common.setup
done = common.done

local ids, prefix, body

function init(args)
  common.seed()
  ids = common.load_ids(args[1])
  prefix = args[2]
  body = common.read_file(args[3])
end

function request()
  return wrk.format("POST", prefix .. common.pick_id(ids), common.json_headers, body)
end
