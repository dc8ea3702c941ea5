# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shape of every ctr command the client runs: ``<subcommand> <flags> -- <operands>``.

One shape for every ctr release, because each parses its arguments differently (checked against
containerd's ``cmd/ctr`` and urfave/cli's sources, and run against ctr 1.6, 1.7 and 2.1):

* ctr 1.6 and 1.7 (urfave/cli v1) reorder a command's arguments before parsing them: a word among the
  operands that looks like one of the command's flags is moved in front and parsed as a flag
  (``images label NAME --replace-all=true`` wipes every label). Only ``run``, ``tasks exec`` and, from 1.7,
  ``containers create`` skip the reordering. The reordering stops at ``--``; but after a boolean flag
  written without a value (``--tty``) it takes the next word, ``--`` included, as that flag's value and
  goes on reordering (``containers create -t -- IMAGE ID sh -c date``: "image "-c": not found").
* ctr 2.0 to 2.3 (urfave/cli v2) parse flags up to the first operand and take a ``--`` there as the end of
  the flags; a ``--`` after an operand is an operand itself.
* ctr 2.4 (urfave/cli v3) looks for its flags among and after the operands too (containerd issue 14208:
  ``ctr run IMAGE ID sh -c ...`` fails with "flag provided but not defined: -c"); ``--`` ends them.

So: the flags first, boolean ones always as ``--name=true`` (``flag``), then ``--``, then the operands
(``command``); value flags keep their value as the next word, which every release takes as the value
whatever it starts with.

Also: ctr enables shell completion, and urfave/cli looks at the last word of the whole command line before
parsing anything: ctr 1.x takes a last ``--generate-bash-completion`` as a completion request and runs
nothing (exit status 0), ctr 2.4 drops a last ``--generate-shell-completion`` even after ``--``. No ``--``
protects that word, so ``completion_word`` finds it and the client refuses such a command.

And: ctr 2.4.0 splits the value of a repeatable (string-slice) flag at its commas in every subcommand
(containerd issue 14181: urfave/cli v3 subcommands do not inherit the root's ``DisableSliceFlagSeparator``):
``--label a=b,c`` sets ``a=b`` and ``c``, ``--env X=a,b`` sets ``X=a`` and ``b``, ``--mount
type=bind,src=/a,dst=/b`` becomes three broken mounts. containerd PR 14185 sets the flag on every ctr
command (merged to main on 2026-09-17); the 2.4 patch release that carries it is not known here, so every
ctr 2.4 is taken to split (``SPLITS_SLICE_VALUES``), ctr 1.x-2.3 and 2.5+ do not. With such a ctr the
client gives a label with a comma as a ``containers label`` operand (operands are never split) and refuses
an ``--env``, ``--mount`` or ``--with-ns`` value with one (``comma_refusal``).
"""

from __future__ import annotations

COMPLETION_WORDS = ("--generate-bash-completion", "--generate-shell-completion")
# the ctr releases (major, minor) that split a string-slice flag's value at commas (see the module doc)
SPLITS_SLICE_VALUES = ((2, 4),)


def flag(name, value=True):
    """A flag as one word: ``--name=value``; a boolean as ``--name=true`` (never bare: see the module doc)."""
    return "--%s=%s" % (name, "true" if value is True else value)


def command(words, flags=(), operands=()):
    """ctr arguments: ``words`` (the subcommand), ``flags``, then ``--`` and ``operands`` when there are any."""
    args = list(words) + list(flags)
    operands = [str(operand) for operand in operands]
    if operands:
        args += ["--"] + operands
    return args


def completion_word(argv):
    """The shell-completion word ctr would take from the end of ``argv`` (see the module doc), or None."""
    return argv[-1] if argv and argv[-1] in COMPLETION_WORDS else None


def splits_slice_values(ctr_version):
    """Whether ctr of ``ctr_version`` splits a string-slice flag's value at its commas (see the module doc)."""
    return tuple(ctr_version[:2]) in SPLITS_SLICE_VALUES


def comma_refusal(options):
    """Why ``containers create`` options (see ``ContainerOps.create_container``) cannot be given to a ctr that
    splits string-slice values at commas (see the module doc), naming the option; None when they can. A value
    itself is never in the message (an environment value may be a secret)."""
    reason = "ctr 2.4 splits the value of %s at its commas (containerd issue 14181)"
    env = sorted(key for key, value in (options.get("env") or {}).items() if "," in "%s=%s" % (key, value))
    if env:
        return "env: %s; the variable %s has one: use a ctr client of another release" % (
            reason % "--env", ", ".join(env))
    if options.get("mounts"):
        return "mounts: %s, and a mount is always written with them (type=...,src=...,dst=...): use a ctr client of " \
               "another release" % (reason % "--mount")
    if "," in str(options.get("network_namespace") or ""):
        return "network_namespace: %s; the path has one" % (reason % "--with-ns")
    return None
