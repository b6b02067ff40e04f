#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>
#ifdef __linux__
#include <malloc.h>  /* malloc_trim, for releaseFreedMemory() */
#endif

/// Typed settings for `CMicroHTTPD_start_daemon`: Swift cannot call C variadic
/// functions, and MHD reads each option with `va_arg` at one exact C type, so the
/// types live here rather than in a Swift `CVarArg` list where a mismatch is silent.
typedef struct {
    unsigned int flags;
    MHD_socket listen_socket;
    unsigned int thread_pool_size;
    unsigned int connection_limit;
    unsigned int connection_timeout_seconds;
    size_t connection_memory_limit;
} CMicroHTTPD_daemon_settings;

static inline struct MHD_Daemon *CMicroHTTPD_start_daemon(
    CMicroHTTPD_daemon_settings settings,
    MHD_AccessHandlerCallback access_handler, void *access_handler_context,
    void *(*uri_log_callback)(void *context, const char *uri, struct MHD_Connection *connection),
    void *uri_log_context,
    MHD_RequestCompletedCallback completed_callback, void *completed_context,
    MHD_NotifyConnectionCallback connection_callback, void *connection_context)
{
    return MHD_start_daemon(
        settings.flags, 0, NULL, NULL, access_handler, access_handler_context,
        MHD_OPTION_LISTEN_SOCKET, settings.listen_socket,
        MHD_OPTION_THREAD_POOL_SIZE, settings.thread_pool_size,
        MHD_OPTION_CONNECTION_LIMIT, settings.connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, settings.connection_timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, settings.connection_memory_limit,
        MHD_OPTION_URI_LOG_CALLBACK, uri_log_callback, uri_log_context,
        MHD_OPTION_NOTIFY_COMPLETED, completed_callback, completed_context,
        MHD_OPTION_NOTIFY_CONNECTION, connection_callback, connection_context,
        MHD_OPTION_END);
}

/// The pointer the connection callback stored for this connection (its `socket_context`).
static inline void *CMicroHTTPD_connection_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}

#endif
