# The two commands of the README.
.PHONY: demo demo-clean test sanity lint docs changelog ee spdx clean

demo:  ## set up a virtualenv, install the collection, run the demo playbook on localhost
	bash scripts/demo.sh

demo-clean:  ## remove the demo's workload and network, stop the containerd it started, remove what it installed
	bash scripts/demo.sh --clean

test:  ## install what the tests need, run unit + integration tests, ansible-test sanity and ansible-lint
	bash scripts/test.sh

sanity:
	bash scripts/sanity.sh

docs:  ## the docs site (antsibull-docs + Sphinx, offline) in .build/docs/html
	bash scripts/docs.sh

changelog:  ## antsibull-changelog lint, CHANGELOG.md current, unreleased fragments release cleanly
	bash scripts/changelog-check.sh

ee:  ## ansible-builder build context of an execution environment with the built collection (.build/ee)
	bash scripts/ee-check.sh

spdx:  ## add the SPDX licence identifier to every tracked .py/.sh file that lacks it
	python3 scripts/spdx-headers.py

clean:
	rm -rf .build tests/output
