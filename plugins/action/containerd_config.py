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
from ansible_collections.containerd.runtime.plugins.module_utils._config.schema import (
    add_import, build_config, deep_merge, describe_paths, dropin_document, imports_cover, minimal_root)
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

    @staticmethod
    def _warn_readable_secrets(result, config, path, args):
        if has_secrets(config) and (_octal(args["mode"]) or 0) & 0o077:
            result.setdefault("warnings", []).append(
                "%s holds credentials but mode %s lets others read them: use mode 0600" % (path, args["mode"]))

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

    def _settle(self, result, text, path, args, task_vars):
        """The content of ``path`` is right: let copy settle its mode and owner (a change only where they differ)."""
        written = self._write(text, path, args, task_vars)
        if written.get("failed"):
            raise AnsibleActionFail(written.get("msg", "cannot set the attributes of %s" % path))
        result["changed"] = bool(written.get("changed"))
        return result

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
            if args["layout"] == "dropin":
                return self._run_dropin(result, default, args, task_vars)
            warnings = []
            try:
                config, version = build_config(default, _plain(args["settings"]), _plain(args["overrides"]), warnings)
                text = tomli_w.dumps(config)
            except InvalidConfig as error:
                raise AnsibleActionFail(str(error))
            except (TypeError, ValueError) as error:
                raise AnsibleActionFail("the merged config cannot be written as TOML: %s" % error)
            current = self._read(path, task_vars)
            result.update(path=path, schema_version=version, keys=describe_paths(default), config=mask(config),
                          previous=None, changed=False, layout="file")
            if warnings:
                result["warnings"] = warnings
            self._warn_readable_secrets(result, config, path, args)
            if current == text:
                return self._settle(result, text, path, args, task_vars)
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

    # ---- layout dropin: the role owns conf.d/<name>.toml; config.toml only gains an imports entry ----------

    def _keep(self, path, previous):
        rc, _out, err = self._run(["cp", "-p", path, previous])
        if rc != 0:
            raise AnsibleActionFail("cannot keep the old %s as %s: %s" % (path, previous, err.strip()))

    def _dropin_texts(self, default, args, task_vars):
        """(drop-in text, its config, version, config.toml text now, config.toml text wanted, warnings)."""
        path, dropin = args["path"], args["dropin_path"]
        current_root = self._read(path, task_vars)
        try:
            root = tomllib.loads(current_root) if current_root is not None else None
        except tomllib.TOMLDecodeError as error:
            raise AnsibleActionFail("cannot parse %s (the dropin layout only adds an imports entry to it): %s"
                                    % (path, error))
        warnings = []
        try:
            config, version = dropin_document(default, _plain(args["settings"]), _plain(args["overrides"]), root,
                                              warnings)
            text = tomli_w.dumps(config)
            if root is None:
                wanted_root = minimal_root(version, dropin)
            elif imports_cover(root, path, dropin):
                wanted_root = current_root
            else:
                wanted_root = add_import(current_root, dropin)
                expected = deep_merge(root, {"imports": [dropin] + list(root.get("imports") or [])})
                if tomllib.loads(wanted_root) != expected:
                    raise InvalidConfig("cannot add the imports entry to %s without changing anything else; add "
                                        "%s to its imports by hand" % (path, dropin))
        except InvalidConfig as error:
            raise AnsibleActionFail(str(error))
        except (TypeError, ValueError) as error:
            raise AnsibleActionFail("the drop-in cannot be written as TOML: %s" % error)
        return text, config, version, current_root, wanted_root, warnings

    def _run_dropin(self, result, default, args, task_vars):
        path, dropin, containerd = args["path"], args["dropin_path"], args["containerd_path"]
        text, config, version, current_root, wanted_root, warnings = self._dropin_texts(default, args, task_vars)
        current = self._read(dropin, task_vars)
        result.update(path=dropin, config_path=path, layout="dropin", schema_version=version,
                      keys=describe_paths(default), config=mask(config), previous=None, restore=[], changed=False)
        if warnings:
            result["warnings"] = warnings
        self._warn_readable_secrets(result, config, dropin, args)
        changes = [(name, before, after) for name, before, after in ((path, current_root, wanted_root),
                                                                     (dropin, current, text)) if before != after]
        if not changes:
            return self._settle(result, text, dropin, args, task_vars)
        if args["validate"]:
            message = self._validate(containerd, text)  # the drop-in on its own, before anything is written
            if message:
                raise AnsibleActionFail("containerd rejected the new drop-in (%s kept unchanged): %s" % (dropin, message),
                                        result=dict(path=dropin, schema_version=version, rejected=True))
        result["changed"] = True
        if self._task.diff:
            result["diff"] = [dict(before=_masked_text(before), after=_masked_text(after), before_header=name,
                                   after_header=name) for name, before, after in changes]
        if self._task.check_mode:
            return result
        self._run(["mkdir", "-p", os.path.dirname(dropin)])
        for name, before, after in changes:
            previous = name + ".previous"
            if before is not None:
                self._keep(name, previous)
                result["restore"].append(dict(src=previous, dest=name))
            else:
                result["restore"].append(dict(src="", dest=name))
            self._make_private(name, args, task_vars)
            written = self._write(after, name, args, task_vars)
            if written.get("failed"):
                raise AnsibleActionFail(written.get("msg", "cannot write %s" % name))
        if args["validate"]:
            # the real composition (config.toml and every file it imports), before any restart
            rc, _out, err = self._run([containerd, "--config", path, "config", "dump"])
            if rc != 0:
                self._undo(result["restore"])
                lines = [line for line in err.strip().splitlines() if line.strip()]
                raise AnsibleActionFail("containerd rejected %s with the new drop-in %s; both put back: %s"
                                        % (path, dropin, lines[-1] if lines else "rc %s" % rc))
        result["previous"] = next((r["src"] for r in result["restore"] if r["dest"] == path and r["src"]), None)
        return result

    def _undo(self, restore):
        for entry in restore:
            if entry["src"]:
                self._run(["cp", "-p", entry["src"], entry["dest"]])
            else:
                self._run(["rm", "-f", entry["dest"]])
