-- wrk script: one Sentry error event per envelope, as @sentry/browser sends it.
-- The key comes from the KEY environment variable (bench/run.sh sets it).
local key = os.getenv("KEY")
local event = '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","platform":"javascript","level":"error",'
  .. '"exception":{"values":[{"type":"TypeError","value":"Cannot read properties of undefined (reading \'total\')",'
  .. '"stacktrace":{"frames":[{"function":"dispatch","filename":"vendor.js","in_app":false},'
  .. '{"function":"submitOrder","module":"checkout","filename":"app.js","lineno":42,"colno":7,"in_app":true}]}}]},'
  .. '"tags":{"restaurant_id":"r-17","order_type":"delivery"},"user":{"id":"u-1"},'
  .. '"contexts":{"order_details":{"order_id":"o-9","total":"23.50"}}}'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-sentry-envelope"
wrk.headers["X-Sentry-Auth"] = "Sentry sentry_version=7, sentry_key=" .. key
wrk.body = '{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n'
  .. '{"type":"event","length":' .. #event .. '}\n' .. event .. '\n'
