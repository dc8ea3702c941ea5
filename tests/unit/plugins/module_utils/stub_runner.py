"""A stand-in for run_command in unit tests of the client layer."""


class StubRunner:
    """Stands in for run_command: records each argv and answers with the next (rc, stdout, stderr)."""

    def __init__(self, *replies):
        self.replies = list(replies)
        self.calls = []

    def __call__(self, argv, data=None):
        self.calls.append(argv)
        return self.replies.pop(0)
