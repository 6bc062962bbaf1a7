-- wrk script for bench/write_bench.py: one distinct, valid InspectionRecorded per event.
-- Usage: wrk -s bench/events.lua URL -- <token> <prefix> <households> <events per request> [random]
-- Ids are "<prefix>-<thread>-<request>[-<i>]", so they never repeat across threads, connections
-- or runs with different prefixes. Households are taken round-robin from h00000..h<n-1>, or at
-- random with a fifth argument "random" (so concurrent batches touch the same households).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  token, prefix, households, per_request = args[1], args[2], tonumber(args[3]), tonumber(args[4])
  random_households = args[5] == "random"
  math.randomseed(os.time() + tid)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
  sent = 0
end

local template = '{"type":"InspectionRecorded","data":{"inspection_id":"%s",'
  .. '"subject_type":"household","subject_id":"h%05d","method":"visit",'
  .. '"inspector_ids":["p-bench"],"checks":{"food":"met","water":"met","housing":"unmet"},'
  .. '"income":{"wage":%d,"transfer":3000}},"occurred_at":"2020-03-12T09:30:00+08:00"}'

local function event(id, n)
  local household = (tid * 7919 + n) % households
  if random_households then
    household = math.random(0, households - 1)
  end
  return string.format(template, id, household, 8000 + n % 1000)
end

function request()
  sent = sent + 1
  local id = prefix .. "-" .. tid .. "-" .. sent
  local body
  if per_request == 1 then
    body = event(id, sent)
  else
    local parts = {}
    for i = 1, per_request do
      parts[i] = event(id .. "-" .. i, sent * per_request + i)
    end
    body = '{"events":[' .. table.concat(parts, ",") .. ']}'
  end
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("sent")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"completed":%d,"sent":%d,"duration_us":%d,"non2xx":%d,"connect":%d,'
    .. '"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, total, summary.duration, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(99)))
end
