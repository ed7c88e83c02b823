"""One module per release command, as twine keeps them: each `register`s its own arguments on the
`careervp-ci` parser and its `main` does the work and prints the result; `release.cli` lists them."""
