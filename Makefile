# The two commands of the README.
.PHONY: demo demo-clean test sanity lint clean

demo:  ## set up a virtualenv, install the collection, run the demo playbook on localhost
	bash scripts/demo.sh

demo-clean:  ## remove the demo's workload and network, stop the containerd it started, remove what it installed
	bash scripts/demo.sh --clean

test:  ## install what the tests need, run unit + integration tests, ansible-test sanity and ansible-lint
	bash scripts/test.sh

sanity:
	bash scripts/sanity.sh

clean:
	rm -rf .build tests/output
