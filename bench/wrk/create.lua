-- POST /v1/challenges with a realistic body: one question, an expected answer (hash verifier)
-- and a WhatsApp return. Every request carries a new client_id, because a newer challenge for
-- the same client cancels the older one.
-- Environment: BENCH_API_KEY (required), BENCH_RUN_TAG (makes client ids unique across runs).

local api_key = os.getenv("BENCH_API_KEY") or error("BENCH_API_KEY is not set")
local run_tag = os.getenv("BENCH_RUN_TAG") or "run"
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. api_key }
local body_start = '{"client_id":"'
local body_end = '","question":"What is your date of birth?","answer":"1990-04-12",'
  .. '"return":{"channel":"whatsapp","phone":"+5491122334455","text":"Back from verification {code}"}}'

local thread_count = 0
function setup(thread)
  thread:set("thread_tag", tostring(thread_count))
  thread_count = thread_count + 1
end

local counter = 0
function request()
  counter = counter + 1
  local client_id = run_tag .. "-" .. (thread_tag or "0") .. "-" .. counter
  return wrk.format("POST", "/v1/challenges", headers, body_start .. client_id .. body_end)
end
