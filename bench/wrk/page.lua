-- GET /c/{token}, cycling through the pending challenges listed in the pool file.
-- Environment: BENCH_POOL_FILE, one "path csrf" line per challenge.

local pool_file = os.getenv("BENCH_POOL_FILE") or error("BENCH_POOL_FILE is not set")
local paths = {}
for line in io.lines(pool_file) do
  paths[#paths + 1] = line:match("^(%S+)")
end
if #paths == 0 then error(pool_file .. " lists no challenges") end

local index = 0
function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end
