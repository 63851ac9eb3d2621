-- wrk script: one page-load beacon per request, as the SDK's sendBeacon sends it.
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"
wrk.body = '{"beacons":[{"type":"pageload","page":"/menu","session":"bench","ttfb":120.5,"dcl":640.1,"load":910.7,"fp":380.2,"fcp":420.9}]}'
