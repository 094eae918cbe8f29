/*
 * kafka-mock: host librdkafka's in-process mock Kafka cluster as a standalone
 * process, so tests in any language can talk Kafka protocol over TCP.
 *
 * Usage: kafka-mock [--brokers N] [--no-stdin] [topic:partitions ...]
 *   N also comes from env KAFKA_MOCK_BROKERS (default 1). Brokers bind to
 *   127.0.0.1 on ephemeral ports; the bootstrap list is printed as the first
 *   line of stdout. Runs until SIGTERM/SIGINT/SIGHUP or until stdin closes
 *   (unless --no-stdin). Commands on stdin, one per line, each answered with
 *   "ok" or "error <reason>":
 *     down <broker-id|-1>       up <broker-id|-1>       rtt <broker-id|-1> <ms>
 *     topic <name> <partitions>
 *     error <api-key> <error-code> [count]   (next count requests of that type fail)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static rd_kafka_mock_cluster_t *mc;
static int nbrokers = 1;

static int create_topic(const char *name, int parts) {
        int rf = nbrokers < 3 ? nbrokers : 3;
        return parts > 0 && !rd_kafka_mock_topic_create(mc, name, parts, rf) ? 0 : -1;
}

static void command(char *line) {
        char a[256] = "", b[256] = "";
        int n = 0, c = 1, r = -1;
        int argc = sscanf(line, "%255s %255s %d %d", a, b, &n, &c);
        if (argc >= 2 && !strcmp(a, "down"))
                r = rd_kafka_mock_broker_set_down(mc, atoi(b)) ? -1 : 0;
        else if (argc >= 2 && !strcmp(a, "up"))
                r = rd_kafka_mock_broker_set_up(mc, atoi(b)) ? -1 : 0;
        else if (argc >= 3 && !strcmp(a, "rtt"))
                r = rd_kafka_mock_broker_set_rtt(mc, atoi(b), n) ? -1 : 0;
        else if (argc >= 3 && !strcmp(a, "topic"))
                r = create_topic(b, n);
        else if (argc >= 3 && !strcmp(a, "error") && c > 0 && c <= 10000) {
                rd_kafka_resp_err_t errs[c];
                for (int i = 0; i < c; i++) errs[i] = (rd_kafka_resp_err_t)n;
                rd_kafka_mock_push_request_errors_array(mc, (int16_t)atoi(b), (size_t)c, errs);
                r = 0;
        }
        printf(r ? "error bad or failed command: %s\n" : "ok\n", line);
}

int main(int argc, char **argv) {
        int use_stdin = 1, sfd;
        char errstr[512], buf[4096];
        size_t len = 0;
        sigset_t sigs;
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_t *rk;

        if (getenv("KAFKA_MOCK_BROKERS")) nbrokers = atoi(getenv("KAFKA_MOCK_BROKERS"));
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--brokers") && i + 1 < argc) nbrokers = atoi(argv[++i]);
                else if (!strcmp(argv[i], "--no-stdin")) use_stdin = 0;
        }
        if (nbrokers < 1) { fprintf(stderr, "kafka-mock: bad broker count\n"); return 2; }

        /* Block termination signals in all threads (librdkafka's inherit this
         * mask) and receive them through a signalfd in the main loop. */
        sigemptyset(&sigs);
        sigaddset(&sigs, SIGTERM); sigaddset(&sigs, SIGINT); sigaddset(&sigs, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &sigs, NULL);
        signal(SIGPIPE, SIG_IGN);
        sfd = signalfd(-1, &sigs, 0);
        setvbuf(stdout, NULL, _IOLBF, 0);

        rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
        if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr))) ||
            !(mc = rd_kafka_mock_cluster_new(rk, nbrokers))) {
                fprintf(stderr, "kafka-mock: cannot create cluster: %s\n", errstr);
                return 1;
        }
        rd_kafka_mock_set_controller_id(mc, 1);
        rd_kafka_mock_group_initial_rebalance_delay_ms(mc, 0);
        for (int i = 1; i < argc; i++) {
                char *colon = strrchr(argv[i], ':');
                if (argv[i][0] == '-') { i += !strcmp(argv[i], "--brokers"); continue; }
                if (!colon) colon = argv[i] + strlen(argv[i]); /* no ":" = 1 partition */
                int parts = *colon ? atoi(colon + 1) : 1;
                *colon = '\0';
                if (create_topic(argv[i], parts)) {
                        fprintf(stderr, "kafka-mock: cannot create topic %s:%d\n", argv[i], parts);
                        return 1;
                }
        }
        printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));

        for (;;) {
                struct pollfd fds[2] = {{sfd, POLLIN, 0}, {use_stdin ? 0 : -1, POLLIN, 0}};
                if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
                if (fds[0].revents) break; /* signal */
                if (!fds[1].revents) continue;
                ssize_t r = read(0, buf + len, sizeof(buf) - 1 - len);
                if (r <= 0) break; /* parent went away */
                len += (size_t)r;
                char *nl;
                while ((nl = memchr(buf, '\n', len))) {
                        *nl = '\0';
                        if (nl > buf && nl[-1] == '\r') nl[-1] = '\0';
                        if (*buf) command(buf);
                        len -= (size_t)(nl + 1 - buf);
                        memmove(buf, nl + 1, len);
                }
                if (len == sizeof(buf) - 1) len = 0; /* overlong line: drop */
        }
        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        return 0;
}
