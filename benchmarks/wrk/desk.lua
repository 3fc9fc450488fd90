-- Agents at their desks: each connection is one agent, signed in with the
-- second factor, who asks again 0.5 to 1.5 s after each answer (the desk
-- page and the JSON its script polls, in turn; or the case page). 20
-- agents so send about 20 requests a second, five times what 20 open desks
-- polling every 5 s send (docs/benchmarks.md, "The agents' desk").
-- Anything but a 200 (a redirect to the sign-in or second-factor page) is
-- a failure.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
setup, init, request, done = common.setup, common.init, common.request, common.done
-- Each agent's first request goes at once (wrk also asks delay() before a
-- connection's first request): the first 10 in each thread, its share of
-- the bench's 20 connections over 2 threads.
local first = 10
delay = function()
  if first > 0 then
    first = first - 1
    return 0
  end
  return math.random(500, 1500)
end
response = function(status, headers, body)
  if status ~= 200 and status < 400 then
    unexpected = unexpected + 1
  end
end
