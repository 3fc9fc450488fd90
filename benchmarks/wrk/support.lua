-- File a case on an order line and ask for a call now, in one form. Each
-- request is a different line, so each files a new case and schedules a
-- new call (the Celery worker then dials the fake Twilio).
local common = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
setup, init, request, done = common.setup, common.init, common.request, common.done
response = common.expect_redirect("/help/cases/")
