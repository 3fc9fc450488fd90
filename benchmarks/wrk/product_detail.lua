-- Product pages, spread over the catalog.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
setup, init, request, done = common.setup, common.init, common.request, common.done
