# Copyright (c) containerd.runtime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sphinx configuration of the docs site (scripts/docs.sh): antsibull-docs' setup without intersphinx,
so that the site builds offline; references to other collections' and ansible-core's docs stay text."""

project = "containerd.runtime"
copyright = "containerd.runtime contributors"
title = "containerd.runtime documentation"
html_short_title = "containerd.runtime"

extensions = ["sphinx_antsibull_ext"]
pygments_style = "ansible"
highlight_language = "YAML+Jinja"

html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_theme_options = {"display_version": False, "titles_only": False, "documentation_home_url": "index.html"}
default_role = "any"
nitpicky = True

# Offline there is no intersphinx inventory of Ansible's docs: the labels the generated pages use for them
# link to the published pages instead. Any other unresolved reference stays a warning (an error with -W).
ANSIBLE_DOCS = "https://docs.ansible.com/ansible/latest/"
EXTERNAL_LABELS = {
    "common_return_values": "reference_appendices/common_return_values.html",
    "action_plugins": "plugins/action.html",
    "ansible_configuration_settings": "reference_appendices/config.html",
    "module_defaults": "playbook_guide/playbooks_module_defaults.html",
}


def _external_reference(app, env, node, contnode):
    from docutils import nodes

    target = node.get("reftarget", "")
    path = EXTERNAL_LABELS.get(target)
    if path is None and node.get("reftype") == "envvar" and target.startswith("ANSIBLE_"):
        # ansible-core's settings (ANSIBLE_REMOTE_USER, ANSIBLE_CACHE_PLUGIN, ...) that plugins document
        path = "reference_appendices/config.html#envvar-%s" % target
    if path is None and target.startswith("ansible_collections.ansible.builtin."):
        path = "collections/ansible/builtin/%s.html" % target.rsplit(".", 1)[1]
    if path is None:
        return None
    reference = nodes.reference("", "", internal=False, refuri=ANSIBLE_DOCS + path)
    reference.append(contnode)
    return reference


def setup(app):
    app.connect("missing-reference", _external_reference)
