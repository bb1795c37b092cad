-- GET <prefix><id> with ids drawn uniformly from an ids file.
-- wrk -s get_ids.lua URL -- <ids file> [path prefix, default /api/v1/schemas/]
local common = require("common")
setup = common.setup
done = common.done

local ids, prefix

function init(args)
  common.seed()
  ids = common.load_ids(args[1])
  prefix = args[2] or "/api/v1/schemas/"
end

function request()
  return wrk.format("GET", prefix .. common.pick_id(ids))
end
