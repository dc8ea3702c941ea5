"""Commands the container tests run in busybox."""

# A workload that stops on SIGTERM (busybox httpd or sleep as PID 1 ignore it: PID 1 has no default handlers)
GRACEFUL = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
