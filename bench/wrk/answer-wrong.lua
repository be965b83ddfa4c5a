-- POST /c/{token} with a wrong answer and the page's CSRF field, cycling through the pool file.
-- Each thread takes every n-th challenge, so that requests spread evenly: the pool must hold at
-- least a ninth of the requests sent, or challenges reach their 10 attempts and lock.
-- Environment: BENCH_POOL_FILE, one "path csrf" line per challenge; BENCH_THREADS, wrk's -t.

local pool_file = os.getenv("BENCH_POOL_FILE") or error("BENCH_POOL_FILE is not set")
local entries = {}
for line in io.lines(pool_file) do
  local path, csrf = line:match("^(%S+) (%S+)")
  entries[#entries + 1] = { path = path, body = "csrf=" .. csrf .. "&answer=not-the-answer" }
end
if #entries == 0 then error(pool_file .. " lists no challenges") end

local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }

local stride = tonumber(os.getenv("BENCH_THREADS") or "1")

local thread_count = 0
function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

local position
function init(args)
  position = thread_index or 0
end

function request()
  local entry = entries[position % #entries + 1]
  position = position + stride
  return wrk.format("POST", entry.path, headers, entry.body)
end
