-- wrk script for Birlik's benchmark: POSTs one GraphQL body, counts as an error every response that
-- is not 200 or whose body carries "errors" (a 200 can hold GraphQL errors), and prints one JSON line.
--
-- Environment:
--   BENCH_BODY   path of a file holding the JSON body (reads)
--   BENCH_TOKEN  bearer token (optional)
--   BENCH_MODE   "body" (default), "claim" (ClaimTask on tasks BENCH_TASK_BASE..+BENCH_TASK_COUNT-1,
--                each request a different task), "donate" (RegisterDonation at BENCH_POINT_ID),
--                "mix" (in turn: a POST of each file of BENCH_BODIES, a GET of each path of
--                BENCH_GETS; both comma-separated)
--   BENCH_QUERY  the mutation's text as a JSON string (quoted and escaped), for "claim" and "donate"
--   BENCH_RUN    a unique prefix for idempotency keys
--   BENCH_THREADS  wrk's -t, so that threads take disjoint tasks
local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local function b64url(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chunk = 2 + (b and 1 or 0) + (c and 1 or 0)
    for j = 1, chunk do
      local k = math.floor(n / 2 ^ (6 * (4 - j))) % 64
      out[#out + 1] = b64chars:sub(k + 1, k + 1)
    end
  end
  return table.concat(out)
end

function init(args)
  errors = 0
  non200 = 0
  seq = 0
  mode = os.getenv("BENCH_MODE") or "body"
  run = os.getenv("BENCH_RUN") or "run"
  nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  if mode == "body" then
    local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
    wrk.body = f:read("*a")
    f:close()
  elseif mode == "claim" then
    task_base = tonumber(os.getenv("BENCH_TASK_BASE"))
    task_count = tonumber(os.getenv("BENCH_TASK_COUNT"))
    claim_query = os.getenv("BENCH_QUERY")
  elseif mode == "donate" then
    point_id = os.getenv("BENCH_POINT_ID")
    donate_query = os.getenv("BENCH_QUERY")
  elseif mode == "mix" then
    mix = {}
    for path in string.gmatch(os.getenv("BENCH_BODIES") or "", "[^,]+") do
      local f = assert(io.open(path, "rb"))
      mix[#mix + 1] = { "POST", "/graphql", f:read("*a") }
      f:close()
    end
    for path in string.gmatch(os.getenv("BENCH_GETS") or "", "[^,]+") do
      mix[#mix + 1] = { "GET", path, nil }
    end
  end
end

function request()
  if mode == "body" then
    return wrk.format()
  end
  if mode == "mix" then
    local m = mix[(seq + tid) % #mix + 1]
    seq = seq + 1
    return wrk.format(m[1], m[2], nil, m[3])
  end
  local n = seq
  seq = seq + 1
  local key = string.format("%s-%d-%d", run, tid, n)
  local body
  if mode == "claim" then
    -- thread tid claims tasks base+tid, base+tid+nthreads, ...: never the same task twice
    local offset = (tid + n * nthreads) % task_count
    local id = b64url("Task:" .. (task_base + offset))
    body = string.format('{"query":%s,"variables":{"taskId":"%s","idempotencyKey":"%s"}}',
      claim_query, id, key)
  else
    body = string.format('{"query":%s,"variables":{"input":{"collectionPointId":"%s","category":"FOOD",'
      .. '"kilograms":"12.5","itemCount":5,"description":"bench","idempotencyKey":"%s"}}}',
      donate_query, point_id, key)
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  elseif body:find('"errors"', 1, true) then
    errors = errors + 1
  else
    return
  end
  if not first_error then
    first_error = status .. " " .. body:sub(1, 400)
  end
end

function done(summary, latency, requests)
  local body_errors, status_errors = 0, 0
  for _, t in ipairs(threads) do
    body_errors = body_errors + (t:get("errors") or 0)
    status_errors = status_errors + (t:get("non200") or 0)
    local first = t:get("first_error")
    if first then
      -- what the first failed answer of a thread was (status and body), for the log
      io.write("BENCH_FIRST_ERROR " .. first:gsub("\n", " ") .. "\n")
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"body_errors":%d,'
      .. '"status_errors":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), body_errors,
    status_errors, e.connect + e.read + e.write + e.timeout))
end
