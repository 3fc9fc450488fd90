-- Product list, 24 a page: visitors paging through the shop and its
-- categories. Anonymous, with the CSRF cookie a browser already holds.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
setup, init, request, done = common.setup, common.init, common.request, common.done
