# The two commands of the README.
.PHONY: demo test sanity lint clean

demo:  ## set up a virtualenv, install the collection, run the demo playbook on localhost
	bash scripts/demo.sh

test:  ## install what the tests need, run unit + integration tests, ansible-test sanity and ansible-lint
	bash scripts/test.sh

sanity:
	bash scripts/sanity.sh

clean:
	rm -rf .build tests/output
