-- Signed-in shoppers: add a product (POST, redirected to the cart), then
-- view the cart. An add that redirects anywhere else was refused.
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
setup, init, request, done = common.setup, common.init, common.request, common.done
response = common.expect_redirect("/cart/", true)
