import CMicroHTTPD

/// Returns memory the process has freed to the system (glibc's `malloc_trim`).
/// Loading a large scenario frees hundreds of megabytes of intermediate data into
/// holes that glibc keeps for reuse, where they would count in RSS for the whole run.
/// Here because this module is the one that calls C.
public func releaseFreedMemory() {
    #if os(Linux)
    malloc_trim(0)
    #endif
}
