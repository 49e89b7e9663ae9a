-- comptoir bench: the request wrk sends, from environment variables, and a JSON summary line.
--   BENCH_COOKIE   Cookie header
--   BENCH_PATHS    comma-separated paths, used in turn (else the URL's own path)
--   BENCH_BODY     form body of a POST; "{n}" is replaced by a request counter, so that every
--                  post is a new message (a repeated one would be dropped as a double submit)
local cookie = os.getenv("BENCH_COOKIE")
local body = os.getenv("BENCH_BODY")
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "", "[^,]+") do paths[#paths + 1] = p end
local counter = 0

if cookie then wrk.headers["Cookie"] = cookie end
if body then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

request = function()
  counter = counter + 1
  local path = nil
  if #paths > 0 then path = paths[(counter % #paths) + 1] end
  if body then
    return wrk.format(nil, path, nil, (string.gsub(body, "{n}", tostring(counter))))
  end
  return wrk.format(nil, path)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"max_us":%d,' ..
    '"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency.max, e.status + e.connect + e.read + e.write + e.timeout))
end
