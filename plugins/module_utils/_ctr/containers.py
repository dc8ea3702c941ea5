# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Container operations of the client (mixed into ``client.CtrClient``; uses ``self.run``)."""

from __future__ import annotations

import platform

from ansible_collections.containerd.runtime.plugins.module_utils._ctr import parse
from ansible_collections.containerd.runtime.plugins.module_utils._ctr.args import comma_refusal, command, flag, splits_slice_values
from ansible_collections.containerd.runtime.plugins.module_utils._common.errors import InvalidContainerOptions, NotFound

_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm",
         "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}


class ContainerOps(object):
    def containers(self, namespace=None):
        return parse.parse_containers(self.run(["containers", "ls"], namespace=namespace))

    def containers_matching(self, filters):
        """The names of the containers that match any of ``filters`` (containerd's filter syntax: ctr ORs the
        filters, a filter ANDs its comma-separated terms); [] for no filters."""
        if not filters:
            return []
        return [row["name"] for row in parse.parse_containers(self.run(command(["containers", "ls"], operands=filters)))]

    # ---- one container --------------------------------------------------------------------------------

    def container_info(self, name):
        """The container record (``ctr containers info`` JSON) or None when there is no such container."""
        try:
            return parse.parse_container_info(self.run(command(["containers", "info"], operands=[name])))
        except NotFound:
            return None

    def create_refusal(self, options):
        """Why ``create_container`` refuses ``options`` with this ctr (``args.comma_refusal``: a ctr that splits
        flag values at commas would cut one), or None; ctr's release is asked for only when an option has one."""
        refusal = comma_refusal(options)
        return refusal if refusal and splits_slice_values(self.ctr_version) else None

    def create_container(self, name, image, options):
        """``ctr containers create [flags] -- IMAGE NAME [COMMAND...]`` from ``options`` (see
        container_spec.create_options); the ``--`` keeps a command such as ``sh -c ...`` the container's on every
        ctr release (see ``args``). A ctr that splits flag values at commas (``args.splits_slice_values``) gets the
        labels with one as ``containers label`` operands after the create, and options it would cut are refused."""
        labels = options.get("labels") or {}
        refusal = self.create_refusal(options)
        if refusal:
            raise InvalidContainerOptions(refusal)
        # ctr's release asked for only when an option could be cut (no extra ``ctr version`` otherwise)
        splits = any("," in "%s=%s" % pair for pair in labels.items()) and splits_slice_values(self.ctr_version)
        late = {key: value for key, value in labels.items() if splits and "," in "%s=%s" % (key, value)}
        flags = []
        if options.get("snapshotter"):
            flags += ["--snapshotter", options["snapshotter"]]
        flags += ["--runtime", options.get("runtime") or "io.containerd.runc.v2"]
        for key, value in sorted(labels.items()):
            if key in late:
                continue
            flags += ["--label", "%s=%s" % (key, value)]
        for key, value in (options.get("env") or {}).items():
            flags += ["--env", "%s=%s" % (key, value)]
        for mount in options.get("mounts") or []:
            spec = "type=%s,src=%s,dst=%s" % (mount["type"], mount["source"], mount["target"])
            if mount["options"]:
                spec += ",options=" + ":".join(mount["options"])
            flags += ["--mount", spec]
        if options.get("working_dir"):
            flags += ["--cwd", options["working_dir"]]
        if options.get("hostname"):
            flags += ["--hostname", options["hostname"]]
        if options.get("user"):
            flags += ["--user", options["user"]]
        for option in ("tty", "privileged", "read_only", "net_host"):
            if options.get(option):
                flags.append(flag(option.replace("_", "-")))
        if options.get("network_namespace"):
            flags += ["--with-ns", "network:%s" % options["network_namespace"]]
        if options.get("memory"):
            flags += ["--memory-limit", str(options["memory"])]
        if options.get("cfs"):
            flags += ["--cpu-quota", str(options["cfs"][0]), "--cpu-period", str(options["cfs"][1])]
        self.run(command(["containers", "create"], flags, [image, name] + list(options.get("command") or [])))
        if options.get("stop_signal"):
            # ctr always sets this label from the image (default SIGTERM): set the one asked for afterwards
            late["io.containerd.image.config.stop-signal"] = options["stop_signal"]
        self.label_container(name, late)

    def label_container(self, name, labels):
        """Set labels of a container; a value of None removes that label."""
        if not labels:
            return
        pairs = ["%s=%s" % (key, "" if value is None else value) for key, value in sorted(labels.items())]
        self.run(command(["containers", "label"], operands=[name] + pairs))

    def delete_container(self, name):
        """Delete a container and its snapshot (its task must be gone)."""
        self.run(command(["containers", "delete"], operands=[name]))

    # ---- the image a container is made from -------------------------------------------------------------

    def image_for_container(self, reference):
        """{'name', 'digest', 'config'} of an image present in the namespace (config: the OCI image config
        of this host's platform), or None when the namespace has no such image."""
        for image in parse.parse_images(self.run(["images", "ls"])):
            if image["name"] == reference:
                return {"name": reference, "digest": image["digest"],
                        "config": self._image_config(image["digest"])}
        return None

    def local_digest(self, reference):
        """The digest of the image ``reference`` in the namespace, or None when it has no such image."""
        for image in parse.parse_images(self.run(["images", "ls"])):
            if image["name"] == reference:
                return image["digest"]
        return None

    def image_config(self, digest):
        """The OCI image config of this host's platform for the image (index or manifest) ``digest``; {} if none."""
        return self._image_config(digest)

    def _image_config(self, digest):
        blob = parse.parse_json_blob(self.run(command(["content", "get"], operands=[digest])))
        if "manifests" in blob:
            arch = _ARCH.get(platform.machine(), platform.machine())
            chosen = None
            for manifest in blob["manifests"]:
                wanted = manifest.get("platform") or {}
                if wanted.get("os", "linux") == "linux" and wanted.get("architecture", arch) == arch:
                    chosen = manifest
                    break
            if chosen is None:
                return {}
            blob = parse.parse_json_blob(self.run(command(["content", "get"], operands=[chosen["digest"]])))
        config = (blob.get("config") or {}).get("digest")
        if not config:
            return {}
        return parse.parse_json_blob(self.run(command(["content", "get"], operands=[config])))
