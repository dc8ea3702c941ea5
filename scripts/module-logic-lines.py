# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Count the logic lines of each module file: how thin plugins/modules/*.py are.

    module-logic-lines.py [--max N] [FILE ...]      (default: every plugins/modules/*.py)

A module's logic lines are its lines that are not blank and not only a comment, outside of:

* the import statements (``import ...``, ``from ... import ...``), wherever they are;
* the assignments of ``DOCUMENTATION``, ``EXAMPLES`` and ``RETURN``;
* the argument spec: the value given as the ``argument_spec=`` keyword of any call (``AnsibleModule(
  argument_spec=...)``), and any assignment to a name containing ``ARGUMENT_SPEC`` or ``ARGSPEC`` (any case);
* docstrings (a statement that is only a string literal).

Everything else counts: ``main()`` and any other function or class, other module-level code, the
``if __name__ == "__main__":`` block. A line shared by an excluded part and a counted one (for example
``argument_spec=argument_spec(`` opening a call inside ``main()``) is not counted.

Prints a table (module, logic lines) and the total; with ``--max N`` exits 1 when a module has more than N.
"""
import argparse
import ast
import glob
import os
import sys

DOC_NAMES = ("DOCUMENTATION", "EXAMPLES", "RETURN")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _names(target):
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for item in target.elts for name in _names(item)]
    return []


def _is_spec_name(name):
    upper = name.upper()
    return name in DOC_NAMES or "ARGUMENT_SPEC" in upper or "ARGSPEC" in upper


def excluded_lines(tree):
    """The line numbers of the parts that are not logic (see module doc)."""
    lines = set()

    def exclude(node):
        lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            exclude(node)
        elif isinstance(node, ast.Assign) and any(_is_spec_name(name) for target in node.targets
                                                  for name in _names(target)):
            exclude(node)
        elif isinstance(node, ast.keyword) and node.arg == "argument_spec":
            exclude(node.value)
            lines.add(node.lineno)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            exclude(node)
    return lines


def logic_lines(path):
    with open(path) as stream:
        source = stream.read()
    excluded = excluded_lines(ast.parse(source, path))
    count = 0
    for number, line in enumerate(source.splitlines(), 1):
        text = line.strip()
        if text and not text.startswith("#") and number not in excluded:
            count += 1
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=None, help="exit 1 when a module has more logic lines")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    files = args.files or sorted(glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py")))
    counts = [(os.path.basename(path), logic_lines(path)) for path in files]
    width = max([len("module")] + [len(name) for name, _count in counts])
    print("%s  %s" % ("module".ljust(width), "logic lines"))
    for name, count in counts:
        flag = "  > %d" % args.max if args.max is not None and count > args.max else ""
        print("%s  %11d%s" % (name.ljust(width), count, flag))
    print("%s  %11d" % ("total".ljust(width), sum(count for _name, count in counts)))
    over = [name for name, count in counts if args.max is not None and count > args.max]
    if over:
        print("more than %d logic lines: %s" % (args.max, ", ".join(over)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
