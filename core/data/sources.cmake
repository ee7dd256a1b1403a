# Sources of core/data, added to csqcore.
target_sources(csqcore PRIVATE)
