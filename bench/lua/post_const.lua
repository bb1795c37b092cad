-- POST one constant body to one path (compatibility checks).
-- wrk -s post_const.lua URL -- <path> <body file>
local common = require("common")
setup = common.setup
done = common.done

local path, body

function init(args)
  common.seed()
  path = args[1]
  body = common.read_file(args[2])
end

function request()
  return wrk.format("POST", path, common.json_headers, body)
end
