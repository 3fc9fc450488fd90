-- Place an order: each request is a different shopper's checkout form for
-- a cart already filled, so every request that succeeds is one new order.
-- Success redirects to the order; the form shown again means refused (out
-- of stock, a changed total), which counts as an error.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
setup, init, request, done = common.setup, common.init, common.request, common.done
response = common.expect_redirect("/orders/")
