-- wrk request for bench.sh: the method, the Authorization value and the JSON body come
-- from the environment, so one script serves every endpoint. No request() or
-- response() function: wrk formats the request once and sends it as is.
--   BENCH_METHOD  GET (default) or POST
--   BENCH_AUTH    e.g. "Bearer sk_test_poe" (no header when empty)
--   BENCH_BODY    e.g. {"limit":100}, sent with Content-Type: application/json
local method = os.getenv("BENCH_METHOD")
local auth = os.getenv("BENCH_AUTH")
local body = os.getenv("BENCH_BODY")

wrk.method = (method and method ~= "") and method or "GET"
if auth and auth ~= "" then
  wrk.headers["Authorization"] = auth
end
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
