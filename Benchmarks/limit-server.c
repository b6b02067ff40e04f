/*
 * limit-server: the ceiling usagemock is measured against.
 *
 * A bare libmicrohttpd server with usagemock's daemon flags and options (epoll thread
 * pool, ITC, suspend and resume allowed, 1000 connections, 30 s idle timeout, 64 KiB
 * per connection, a listening socket made by hand with SO_REUSEADDR and SOMAXCONN, a
 * URI log callback and a request-completed callback) that answers every request with bytes it loaded at start:
 * no routing, no parsing, no JSON. Each answer is one libmicrohttpd response, built with
 * its header fields when the captures are loaded and queued again for every request
 * (libmicrohttpd counts its references): as cheap as libmicrohttpd allows.
 *
 *   limit-server PORT DIR [THREADS [WORK_NS]]
 *
 * WORK_NS (default 0) makes each answer first spin for that many nanoseconds of wall
 * time in user space. bench.sh uses it to calibrate: what a given amount of a server's
 * own work per request costs in requests/s on this machine, sockets and all.
 *
 * DIR holds one file per request, *.resp (made by bench.sh from usagemock's answers):
 *
 *   METHOD SP TARGET LF        the request line's method and target (path + query)
 *   AUTHORIZATION LF           the Authorization value to match; empty matches any
 *   STATUS LF                  e.g. 200
 *   Name: value LF             zero or more header fields (no Content-Length, no Date)
 *   LF
 *   body bytes up to the end of the file
 *
 * A target not in DIR gets 404 with an empty JSON object. When ready it prints
 * "limit-server listening on http://127.0.0.1:PORT (N responses)" on stdout; SIGTERM or
 * SIGINT stops it with exit code 0.
 *
 * Build: cc -O2 -o limit-server limit-server.c $(pkg-config --cflags --libs libmicrohttpd)
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>

#define MAX_HEADERS 8

struct canned {
    char *method;
    char *target;
    size_t target_len;
    char *authorization;
    unsigned int status;
    unsigned int header_count;
    char *header_names[MAX_HEADERS];
    char *header_values[MAX_HEADERS];
    char *body;
    size_t body_len;
    struct MHD_Response *response; /* built once, queued for every request */
    struct canned *next_same_target; /* same target, another method */
} __attribute__((aligned(8)));

static struct canned *table;
static size_t table_len;
static long work_ns;
static struct canned not_found = {
    .method = "", .target = "", .authorization = "", .status = 404, .header_count = 1,
    .header_names = {"Content-Type"}, .header_values = {"application/json"},
    .body = "{}", .body_len = 2,
};

static void die(const char *what, const char *detail) {
    fprintf(stderr, "limit-server: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static char *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (!file) die("cannot open", path);
    if (fseek(file, 0, SEEK_END) != 0) die("cannot seek", path);
    long size = ftell(file);
    rewind(file);
    char *bytes = malloc((size_t)size + 1);
    if (!bytes || fread(bytes, 1, (size_t)size, file) != (size_t)size) die("cannot read", path);
    bytes[size] = '\0';
    fclose(file);
    *length = (size_t)size;
    return bytes;
}

/* Cuts the next LF-terminated line out of [*cursor, end) in place. */
static char *next_line(char **cursor, char *end, const char *path) {
    char *start = *cursor;
    char *newline = memchr(start, '\n', (size_t)(end - start));
    if (!newline) die("truncated capture", path);
    *newline = '\0';
    *cursor = newline + 1;
    return start;
}

static void parse_capture(const char *path, struct canned *entry) {
    size_t length;
    char *bytes = read_file(path, &length);
    char *cursor = bytes, *end = bytes + length;

    char *request_line = next_line(&cursor, end, path);
    char *space = strchr(request_line, ' ');
    if (!space) die("no target on the request line", path);
    *space = '\0';
    entry->method = request_line;
    entry->target = space + 1;
    entry->target_len = strlen(entry->target);
    entry->authorization = next_line(&cursor, end, path);
    entry->status = (unsigned int)strtoul(next_line(&cursor, end, path), NULL, 10);
    if (entry->status < 100 || entry->status > 599) die("bad status line", path);
    for (;;) {
        char *line = next_line(&cursor, end, path);
        if (*line == '\0') break;
        char *colon = strchr(line, ':');
        if (!colon || entry->header_count == MAX_HEADERS) die("bad header field", path);
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ') value++;
        entry->header_names[entry->header_count] = line;
        entry->header_values[entry->header_count] = value;
        entry->header_count++;
    }
    entry->body = cursor;
    entry->body_len = (size_t)(end - cursor);
}

/* The entry's libmicrohttpd response, with its header fields, made once. */
static void prepare(struct canned *entry) {
    entry->response = MHD_create_response_from_buffer(entry->body_len, entry->body, MHD_RESPMEM_PERSISTENT);
    if (!entry->response) die("libmicrohttpd could not make a response", entry->target);
    for (unsigned int i = 0; i < entry->header_count; i++)
        if (MHD_add_response_header(entry->response, entry->header_names[i], entry->header_values[i]) != MHD_YES)
            die("libmicrohttpd refused a header field", entry->header_names[i]);
}

static void load_directory(const char *directory) {
    DIR *dir = opendir(directory);
    if (!dir) die("cannot open directory", directory);
    size_t capacity = 16;
    table = calloc(capacity, sizeof *table);
    struct dirent *item;
    while ((item = readdir(dir))) {
        size_t name_len = strlen(item->d_name);
        if (name_len < 6 || strcmp(item->d_name + name_len - 5, ".resp") != 0) continue;
        if (table_len == capacity) {
            capacity *= 2;
            table = realloc(table, capacity * sizeof *table);
            memset(table + table_len, 0, (capacity - table_len) * sizeof *table);
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", directory, item->d_name);
        parse_capture(path, &table[table_len++]);
    }
    closedir(dir);
    if (table_len == 0) die("no *.resp file in", directory);
    /* Chain the entries that share a target, so one lookup by target finds every method
     * and key; the entries that match any key go last, so a specific key wins. */
    for (size_t i = 0, last = table_len; i < last; ) {
        if (table[i].authorization[0] == '\0' && i < last - 1) {
            struct canned any = table[i];
            memmove(&table[i], &table[i + 1], (last - i - 1) * sizeof *table);
            table[--last] = any;
        } else {
            i++;
        }
    }
    for (size_t i = 0; i < table_len; i++)
        for (size_t j = i + 1; j < table_len; j++)
            if (table[j].target_len == table[i].target_len && memcmp(table[j].target, table[i].target, table[i].target_len) == 0 &&
                !table[i].next_same_target) {
                table[i].next_same_target = &table[j];
                break;
            }
}

static struct canned *find_target(const char *uri) {
    size_t len = strlen(uri);
    for (size_t i = 0; i < table_len; i++)
        if (table[i].target_len == len && memcmp(table[i].target, uri, len) == 0) return &table[i];
    return NULL;
}

/* Called once per request with the raw target, query included: the request's context
 * is the first canned answer for that target (NULL when none). The low bit of the
 * context then marks "head seen", so no request allocates anything. */
static void *uri_logged(void *cls, const char *uri, struct MHD_Connection *connection) {
    (void)cls; (void)connection;
    return find_target(uri);
}

static void request_completed(void *cls, struct MHD_Connection *connection, void **context,
                              enum MHD_RequestTerminationCode code) {
    (void)cls; (void)connection; (void)code;
    *context = NULL;
}

/* Busy user-space work standing in for a server's own work on a request (WORK_NS). */
static void spin(long nanoseconds) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < nanoseconds);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size, void **context) {
    (void)cls; (void)url; (void)version; (void)upload_data;
    uintptr_t state = (uintptr_t)*context;
    if (!(state & 1)) {           /* first call: the head only, as usagemock answers */
        *context = (void *)(state | 1);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {  /* a body chunk: read and dropped */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (work_ns > 0) spin(work_ns);
    struct canned *entry = (struct canned *)(state & ~(uintptr_t)1);
    /* Several answers for this target: match the Authorization value too. */
    const int match_key = entry && entry->next_same_target;
    const char *authorization =
        match_key ? MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION) : NULL;
    while (entry && (strcmp(entry->method, method) != 0 ||
                     (match_key && entry->authorization[0] &&
                      (!authorization || strcmp(entry->authorization, authorization) != 0))))
        entry = entry->next_same_target;
    if (!entry) entry = &not_found;

    return MHD_queue_response(connection, entry->status, entry->response);
}

static int listen_on(unsigned short port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket", strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, SOMAXCONN) != 0)
        die("cannot listen", strerror(errno));
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: limit-server PORT DIR [THREADS [WORK_NS]]\n");
        return 2;
    }
    unsigned short port = (unsigned short)atoi(argv[1]);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned int threads = argc >= 4 ? (unsigned int)atoi(argv[3]) : (unsigned int)(cores > 0 ? cores : 1);
    work_ns = argc == 5 ? atol(argv[4]) : 0;
    if (threads < 1) threads = 1;
    load_directory(argv[2]);
    for (size_t i = 0; i < table_len; i++) prepare(&table[i]);
    prepare(&not_found);

    /* Block the stop signals in every thread (the pool inherits the mask); main waits. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    int fd = listen_on(port);
    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, answer, NULL,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1000,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
        MHD_OPTION_URI_LOG_CALLBACK, uri_logged, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, NULL,
        MHD_OPTION_END);
    if (!daemon) die("libmicrohttpd could not start its daemon", NULL);
    printf("limit-server listening on http://127.0.0.1:%u (%zu responses)\n", port, table_len);
    fflush(stdout);

    int received;
    sigwait(&stop, &received);
    MHD_stop_daemon(daemon);
    close(fd);
    return 0;
}
