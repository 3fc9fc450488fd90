-- An agent's desk home: the page, then the JSON its script polls, in turn,
-- signed in with the second factor. Anything but a 200 (a redirect to the
-- sign-in or second-factor page) is a failure.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
setup, init, request, done = common.setup, common.init, common.request, common.done
response = function(status, headers, body)
  if status ~= 200 and status < 400 then
    unexpected = unexpected + 1
  end
end
