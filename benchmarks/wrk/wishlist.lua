-- Givers opening a public wedding list of 100 items by its share link.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
setup, init, request, done = common.setup, common.init, common.request, common.done
