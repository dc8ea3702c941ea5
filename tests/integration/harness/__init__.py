"""Test harness: real containerd daemons, a busybox image builder and an ansible runner.

Nothing here is a mock: every helper drives real binaries from Debian's archive that
``tests/setup/fetch-containerd.sh`` put in the cache.
"""
