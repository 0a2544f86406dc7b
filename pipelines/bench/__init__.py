"""The scale benchmark (`make bench`) and the floor it compares the pipeline with."""
