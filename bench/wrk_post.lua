-- wrk sends this POST on every request; the body comes from the environment.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("BENCH_WRK_BODY")
