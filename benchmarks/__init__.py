"""The benchmark harness: `python -m benchmarks` (or `make bench`) prints the table
and writes benchmarks/results.md. See benchmarks/README.md for what is measured."""
