-- Pages the page cache has never seen: each request adds a query string of
-- its own (uncached=<run>-<thread>-<n>), so every one is rendered, as for
-- a visitor arriving from an ad or a newsletter with tracking parameters.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
setup, done = common.setup, common.done

function init(args)
  common.init(args)
  math.randomseed(os.time() + thread_index)
  run = tostring(os.time()) .. tostring(math.random(1000000000))
  sent = 0
end

function request()
  sent = sent + 1
  local spec = specs[(sent - 1) % #specs + 1]
  local separator = spec.path:find("?", 1, true) and "&" or "?"
  local path = spec.path .. separator .. "uncached=" .. run .. "-" .. thread_index
    .. "-" .. sent
  return wrk.format(spec.method, path, spec.headers)
end
