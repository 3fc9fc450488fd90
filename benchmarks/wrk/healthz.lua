-- The ceiling: a trivial view behind the same middleware, through the same
-- Lua request path as every scenario, so the ratio compares like with like.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
setup, init, request, done = common.setup, common.init, common.request, common.done
