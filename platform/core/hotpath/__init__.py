"""The hot path of public reads (ADR 0007): one package, imports one way.

    middleware  answers cache hits of public reads before URL resolving and DRF
        |
    throttle    the API rate limit: one Redis round trip, or none through the near side
        |
    near        the process-local near cache and batched counting (Redis client tracking)
        |
    state       what the hot path learnt about a request (`hot_path(request)`, typed)
        |
    core.cache  the resource cache every app uses; it calls the invalidation hooks the near
                cache registers, and imports nothing of this package

What one step leaves for the next (the rate count, the cache entries fetched with it) travels
on the request as one typed `HotPath` object, never as loose attributes.
"""
