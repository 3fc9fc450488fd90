-- Shared by the scenario scripts. The bench writes the requests to a file,
-- one a line: method, path, session key, form body (tab-separated). Each wrk
-- thread replays its own contiguous share, so a flow's consecutive requests
-- (cart add, then cart view) stay together; the report is one JSON line.
--
-- Arguments after `--`: the requests file, the CSRF token, the thread count.

local M = {}
local threads = {}

function M.setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function M.init(args)
  local file, csrf, count = args[1], args[2], tonumber(args[3])
  local lines = {}
  for line in io.lines(file) do
    lines[#lines + 1] = line
  end
  local share = math.floor(#lines / count)
  local first, last = thread_index * share + 1, (thread_index + 1) * share
  if thread_index == count - 1 then
    last = #lines
  end
  if share == 0 then -- fewer lines than threads: each replays them all
    first, last = 1, #lines
  end
  requests = {}
  for i = first, last do
    local method, path, session, body =
      lines[i]:match("^(%u+)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    local headers = { Cookie = "csrftoken=" .. csrf }
    if session ~= "" then
      headers.Cookie = headers.Cookie .. "; sessionid=" .. session
    end
    if method == "POST" then
      headers["X-CSRFToken"] = csrf
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
  position = 0
  wrapped = false
  repeated = 0 -- requests sent again after the share ran out
  unexpected = 0 -- 2xx/3xx answers that still mean failure (see the scripts)
end

function M.request()
  position = position + 1
  if position > #requests then
    position = 1
    wrapped = true
  end
  if wrapped then
    repeated = repeated + 1
  end
  return requests[position]
end

-- A response handler: a redirect to a path starting with ``prefix`` is
-- success; so is a 200 page when ``pages_ok`` (a flow that also views
-- pages). Anything else below 400 means the form refused: ``unexpected``.
function M.expect_redirect(prefix, pages_ok)
  return function(status, headers, body)
    local location = headers["Location"] or ""
    if status == 302 and location:sub(1, #prefix) == prefix then
      return
    end
    if status == 200 and pages_ok then
      return
    end
    if status < 400 then
      unexpected = unexpected + 1
    end
  end
end

function M.done(summary, latency, requests)
  local repeated_total, unexpected_total = 0, 0
  for _, thread in ipairs(threads) do
    repeated_total = repeated_total + (thread:get("repeated") or 0)
    unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, ' ..
      '"p95_us": %d, "p99_us": %d, "max_us": %d, "connect": %d, ' ..
      '"read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
      '"unexpected": %d, "repeated": %d}\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    unexpected_total, repeated_total
  ))
end

return M
