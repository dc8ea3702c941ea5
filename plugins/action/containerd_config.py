# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action for ``containerd_config``: defaults of the installed containerd + settings + overrides, validated.

On the host it runs only the containerd binary (``config default``, ``config dump``) and ``cp``; the TOML
parsing and writing happens here on the controller, so hosts need no TOML library.
"""

from __future__ import annotations

import base64
import os
import shlex
import shutil
import tempfile

from ansible import constants as C
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase

from ansible_collections.containerd.runtime.plugins.module_utils._config.argspec import ARGUMENT_SPEC
from ansible_collections.containerd.runtime.plugins.module_utils._config.schema import build_config, describe_paths
from ansible_collections.containerd.runtime.plugins.module_utils._config.secrets import has_secrets, mask, mask_text
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidConfig

try:
    import tomllib
except ImportError:  # pragma: no cover - ansible-core 2.18+ needs Python 3.11 on the controller
    tomllib = None

try:
    import tomli_w
except ImportError:
    tomli_w = None


def _masked_text(text):
    """``text`` (a config.toml) with its secret parts masked, for a diff."""
    if not text:
        return text or ""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, TypeError, ValueError):
        return mask_text(text)
    return tomli_w.dumps(mask(data)) if has_secrets(data) else text


def _octal(mode):
    """A numeric mode (``"0600"``, ``0o600``) as an int; None for a symbolic one (``u=rw``)."""
    if isinstance(mode, int):
        return mode
    try:
        return int(str(mode), 8)
    except ValueError:
        return None


def _plain(value):
    """Ansible's lazy/tagged containers as plain Python (tomli-w only accepts the builtin types)."""
    if isinstance(value, dict):
        return dict((to_text(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


class ActionModule(ActionBase):
    TRANSFERS_FILES = True

    def _run(self, argv):
        result = self._low_level_execute_command(" ".join(shlex.quote(str(a)) for a in argv))
        return result.get("rc"), to_text(result.get("stdout", "")), to_text(result.get("stderr", ""))

    def _read(self, path, task_vars):
        """Text of a file on the host, or None when it does not exist."""
        result = self._execute_module(module_name="ansible.legacy.slurp", module_args={"src": path},
                                      task_vars=task_vars)
        if result.get("failed"):
            if "not found" in result.get("msg", "") or "does not exist" in result.get("msg", ""):
                return None
            raise AnsibleActionFail("cannot read %s: %s" % (path, result.get("msg")))
        return to_text(base64.b64decode(result["content"]))

    def _validate(self, containerd, text):
        """containerd's own verdict on ``text`` (None when it loads), via ``config dump`` on a temp copy."""
        tmpdir = self._connection._shell.tmpdir or self._make_tmp_path()
        remote = self._connection._shell.join_path(tmpdir, "config.toml")
        self._transfer_data(remote, text)
        self._fixup_perms2((tmpdir, remote), execute=False)
        rc, _out, err = self._run([containerd, "--config", remote, "config", "dump"])
        self._run(["rm", "-f", remote])
        if rc != 0:
            lines = [line for line in err.strip().splitlines() if line.strip()]
            return lines[-1] if lines else "containerd config dump exited with %s" % rc
        return None

    def _make_private(self, path, args, task_vars):
        """Give ``path`` its final mode before new content is written when that mode keeps others out: copy
        applies the old file's mode to the new content, and creates a new file 0644, until its own chmod."""
        mode = _octal(args["mode"])
        if mode is None or mode & 0o077:
            return  # a symbolic mode (copy applies it), or one that lets others read anyway
        result = self._execute_module(module_name="ansible.legacy.file", module_args=dict(
            path=path, state="touch", mode="%04o" % mode, access_time="preserve", modification_time="preserve"),
            task_vars=task_vars)
        if result.get("failed"):
            raise AnsibleActionFail("cannot make %s private before writing it: %s" % (path, result.get("msg")))

    def _write(self, text, path, args, task_vars):
        new_task = self._task.copy()
        new_task.args.clear()
        new_task.args.update(dict(dest=path, mode=args["mode"]))
        for key in ("owner", "group"):
            if args.get(key) is not None:
                new_task.args[key] = args[key]
        local_tempdir = tempfile.mkdtemp(dir=C.DEFAULT_LOCAL_TMP)
        try:
            source = os.path.join(local_tempdir, os.path.basename(path))
            with open(to_bytes(source, errors="surrogate_or_strict"), "wb") as handle:
                handle.write(to_bytes(text))
            new_task.args["src"] = source
            copy_action = self._shared_loader_obj.action_loader.get(
                "ansible.legacy.copy", task=new_task, connection=self._connection, play_context=self._play_context,
                loader=self._loader, templar=self._templar, shared_loader_obj=self._shared_loader_obj)
            return copy_action.run(task_vars=task_vars)
        finally:
            shutil.rmtree(to_bytes(local_tempdir, errors="surrogate_or_strict"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if tomli_w is None or tomllib is None:
            raise AnsibleActionFail("containerd_config needs tomli-w and Python 3.11+ on the controller "
                                    "(pip install tomli-w)")
        path = args["path"]
        containerd = args["containerd_path"]
        previous_path = args["previous_path"] or path + ".previous"
        try:
            rc, out, err = self._run([containerd, "config", "default"])
            if rc != 0:
                raise AnsibleActionFail("%s config default failed (rc %s): %s" % (containerd, rc, err.strip() or out))
            try:
                default = tomllib.loads(out)
            except tomllib.TOMLDecodeError as error:
                raise AnsibleActionFail("cannot parse the output of %s config default: %s" % (containerd, error))
            try:
                config, version = build_config(default, _plain(args["settings"]), _plain(args["overrides"]))
                text = tomli_w.dumps(config)
            except InvalidConfig as error:
                raise AnsibleActionFail(str(error))
            except (TypeError, ValueError) as error:
                raise AnsibleActionFail("the merged config cannot be written as TOML: %s" % error)
            current = self._read(path, task_vars)
            result.update(path=path, schema_version=version, keys=describe_paths(default), config=mask(config),
                          previous=None, changed=False)
            if has_secrets(config):
                if (_octal(args["mode"]) or 0) & 0o077:
                    result.setdefault("warnings", []).append(
                        "%s holds credentials but mode %s lets others read them: use mode 0600" % (path, args["mode"]))
            if current == text:
                # content is right; let copy settle mode/owner (no change unless they differ)
                written = self._write(text, path, args, task_vars)
                if written.get("failed"):
                    raise AnsibleActionFail(written.get("msg", "cannot set the attributes of %s" % path))
                result["changed"] = bool(written.get("changed"))
                return result
            if args["validate"]:
                message = self._validate(containerd, text)
                if message:
                    raise AnsibleActionFail(
                        "containerd rejected the new config (%s kept unchanged): %s" % (path, message),
                        result=dict(path=path, schema_version=version, rejected=True))
            result["changed"] = True
            if self._task.diff:
                result["diff"] = dict(before=_masked_text(current), after=_masked_text(text), before_header=path,
                                      after_header=path)
            if self._task.check_mode:
                return result
            self._make_private(path, args, task_vars)
            if current is not None:
                rc, _out, err = self._run(["cp", "-p", path, previous_path])
                if rc != 0:
                    raise AnsibleActionFail("cannot keep the old config as %s: %s" % (previous_path, err.strip()))
                result["previous"] = previous_path
            written = self._write(text, path, args, task_vars)
            if written.get("failed"):
                raise AnsibleActionFail(written.get("msg", "cannot write %s" % path))
            return result
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
